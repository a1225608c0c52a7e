package dev.peapod.image;

import java.lang.foreign.MemorySegment;
import java.security.MessageDigest;

/**
 * SHA-256 computed by libcrypto ({@link OpenSsl}); the same digests as the JDK's, fast from the
 * first byte. Single bytes are gathered in a small buffer so that a byte-wise reader does not pay
 * a native call per byte. Not thread safe (no MessageDigest is).
 */
final class OpenSslSha256 extends MessageDigest implements Cloneable {
    private static final int LENGTH = 32;
    private final Ctx ctx;
    private final byte[] pending = new byte[64];
    private int pendingCount;

    /** The native EVP_MD_CTX, freed by a cleaner when the digest object is gone. */
    private static final class Ctx implements Runnable {
        final MemorySegment ptr;

        Ctx(MemorySegment ptr) {
            this.ptr = ptr;
        }

        @Override
        public void run() {
            try {
                OpenSsl.calls().mdCtxFree().invokeExact(ptr);
            } catch (Throwable t) {
                // freeing cannot fail in a way worth reporting
            }
        }
    }

    OpenSslSha256() {
        this(newCtx());
        init();
    }

    private OpenSslSha256(Ctx ctx) {
        super("SHA-256");
        this.ctx = ctx;
        OpenSsl.CLEANER.register(this, ctx);
    }

    private static Ctx newCtx() {
        try {
            MemorySegment p = (MemorySegment) OpenSsl.calls().mdCtxNew().invokeExact();
            if (p.address() == 0) {
                throw new IllegalStateException("EVP_MD_CTX_new failed");
            }
            return new Ctx(p);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private void init() {
        try {
            MemorySegment md = (MemorySegment) OpenSsl.calls().sha256().invokeExact();
            check((int) OpenSsl.calls().digestInit().invokeExact(ctx.ptr, md, MemorySegment.NULL), "EVP_DigestInit_ex");
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    protected int engineGetDigestLength() {
        return LENGTH;
    }

    @Override
    protected void engineUpdate(byte input) {
        if (pendingCount == pending.length) {
            flush();
        }
        pending[pendingCount++] = input;
    }

    @Override
    protected void engineUpdate(byte[] input, int offset, int len) {
        java.util.Objects.checkFromIndexSize(offset, len, input.length);
        flush();
        update(MemorySegment.ofArray(input).asSlice(offset, len));
    }

    private void flush() {
        if (pendingCount > 0) {
            int n = pendingCount;
            pendingCount = 0;
            update(MemorySegment.ofArray(pending).asSlice(0, n));
        }
    }

    private void update(MemorySegment data) {
        if (data.byteSize() == 0) {
            return;
        }
        try {
            check((int) OpenSsl.calls().digestUpdate().invokeExact(ctx.ptr, data, data.byteSize()), "EVP_DigestUpdate");
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    protected byte[] engineDigest() {
        flush();
        byte[] out = new byte[LENGTH];
        try {
            check((int) OpenSsl.calls().digestFinal().invokeExact(ctx.ptr, MemorySegment.ofArray(out), MemorySegment.NULL),
                    "EVP_DigestFinal_ex");
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        init(); // a MessageDigest is reset after digest()
        return out;
    }

    @Override
    protected void engineReset() {
        pendingCount = 0;
        init();
    }

    @Override
    public Object clone() {
        OpenSslSha256 copy = new OpenSslSha256(newCtx());
        try {
            check((int) OpenSsl.calls().mdCtxCopy().invokeExact(copy.ctx.ptr, ctx.ptr), "EVP_MD_CTX_copy_ex");
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        System.arraycopy(pending, 0, copy.pending, 0, pendingCount);
        copy.pendingCount = pendingCount;
        return copy;
    }

    private static void check(int rc, String call) {
        if (rc != 1) {
            throw new IllegalStateException("libcrypto " + call + " failed");
        }
    }
}
