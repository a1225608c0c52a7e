package dev.peapod.image;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * SHA-256 from the host's OpenSSL ({@code libcrypto.so.3}) through the FFM API, for image digests:
 * every layer byte of a registry pull is hashed as a blob and hashed again, uncompressed, as a
 * diff_id. The JDK's SHA-256 uses the CPU's SHA instructions only once C2 has compiled its caller;
 * a short-lived {@code peapod image pull} spends much of its life before that (bench/run-pull,
 * docs/benchmarks.md "Image pull"). libcrypto's assembly is fast from the first byte.
 *
 * <p>Only {@link Digests} uses it; no JCA provider is installed, so nothing else in the JVM (TLS,
 * {@code peapod serve}) changes. Optional: without libcrypto (or with {@code -Dpeapod.openssl=false})
 * digests come from the JDK's provider, with the same results.
 */
@SuppressWarnings("restricted") // FFM downcalls are this class's purpose; the launcher and surefire enable native access
public final class OpenSsl {
    static final Cleaner CLEANER = Cleaner.create();

    /** The downcalls once loaded; null before, and for good when libcrypto cannot be loaded. */
    private static volatile Calls calls;
    private static boolean tried; // guarded by LOAD
    private static final Object LOAD = new Object();
    private static final AtomicBoolean PRELOADING = new AtomicBoolean();

    private OpenSsl() {}

    /** libcrypto's digest functions used here (OpenSSL 3 ABI: pointers, C ints and size_t). */
    record Calls(MethodHandle mdCtxNew, MethodHandle mdCtxFree, MethodHandle sha256, MethodHandle digestInit,
                 MethodHandle digestUpdate, MethodHandle digestFinal, MethodHandle mdCtxCopy) {}

    /** The loaded downcalls; only valid once {@link #available()} said true. */
    static Calls calls() {
        return calls;
    }

    /** Whether libcrypto is loaded (and not switched off); does not wait for {@link #preload}. */
    static boolean available() {
        return calls != null;
    }

    /**
     * Starts loading libcrypto on a background thread, once. Making the FFM downcall handles costs
     * tens of milliseconds in a cold JVM; a pull starts this first and meanwhile sets up TLS and
     * fetches the manifest (hashed by the JDK, which is fine for a few KB).
     */
    public static void preload() {
        if (PRELOADING.compareAndSet(false, true)) {
            Thread.ofPlatform().daemon().name("peapod-openssl-load").start(OpenSsl::loadNow);
        }
    }

    /** Loads libcrypto now (waiting for a {@link #preload} under way); returns {@link #available()}. */
    public static boolean loadNow() {
        synchronized (LOAD) {
            if (!tried) {
                calls = load();
                tried = true;
            }
            return calls != null;
        }
    }

    /** Makes the downcalls; null when switched off or libcrypto is missing (package-private for tests). */
    static Calls load() {
        if (!Boolean.parseBoolean(System.getProperty("peapod.openssl", "true"))) {
            return null;
        }
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup lib = SymbolLookup.libraryLookup("libcrypto.so.3", Arena.global());
            // critical: the calls are short and never call back into Java, so they may take heap
            // arrays directly (no copy into native memory).
            Linker.Option critical = Linker.Option.critical(true);
            var mh = new Object() {
                MethodHandle of(String name, FunctionDescriptor d, Linker.Option... options) {
                    return linker.downcallHandle(lib.find(name).orElseThrow(
                            () -> new IllegalStateException("libcrypto has no " + name)), d, options);
                }
            };
            return new Calls(
                    mh.of("EVP_MD_CTX_new", FunctionDescriptor.of(ADDRESS)),
                    mh.of("EVP_MD_CTX_free", FunctionDescriptor.ofVoid(ADDRESS)),
                    mh.of("EVP_sha256", FunctionDescriptor.of(ADDRESS)),
                    mh.of("EVP_DigestInit_ex", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS)),
                    mh.of("EVP_DigestUpdate", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG), critical),
                    mh.of("EVP_DigestFinal_ex", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS), critical),
                    mh.of("EVP_MD_CTX_copy_ex", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)));
        } catch (Throwable t) {
            // no libcrypto.so.3 (or not OpenSSL 3), or native access refused: the JDK's SHA-256 does the work
            return null;
        }
    }
}
