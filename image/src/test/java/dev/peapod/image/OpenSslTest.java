package dev.peapod.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** libcrypto's SHA-256 agrees with the JDK's, byte for byte, however the input is chunked. */
class OpenSslTest {
    private static final Random RANDOM = new Random(42);

    @BeforeAll
    static void libcrypto() {
        assumeTrue(OpenSsl.loadNow(), "libcrypto.so.3 is not installed");
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static MessageDigest jdk() throws Exception {
        return MessageDigest.getInstance("SHA-256", "SUN");
    }

    @Test
    void sha256MatchesTheJdkForBulkSingleByteAndMixedUpdates() throws Exception {
        for (int size : new int[] {0, 1, 55, 56, 63, 64, 65, 1000, 1 << 20}) {
            byte[] data = random(size);
            MessageDigest ours = new OpenSslSha256();
            int i = 0;
            while (i < size) { // single bytes and slices mixed, as a tar reader feeds it
                if (RANDOM.nextInt(3) == 0) {
                    ours.update(data[i]);
                    i++;
                } else {
                    int n = Math.min(size - i, 1 + RANDOM.nextInt(200));
                    ours.update(data, i, n);
                    i += n;
                }
            }
            assertArrayEquals(jdk().digest(data), ours.digest(), "size " + size);
            // digest() resets: the same object hashes the next content from scratch
            ours.update(data);
            assertArrayEquals(jdk().digest(data), ours.digest(), "size " + size + " after reset");
        }
    }

    @Test
    void sha256MatchesTheJdkForSeededRandomChunkings() throws Exception {
        for (int seed = 0; seed < 50; seed++) {
            Random r = new Random(seed);
            byte[] data = new byte[r.nextInt(300_000)];
            r.nextBytes(data);
            MessageDigest ours = new OpenSslSha256();
            MessageDigest jdk = jdk();
            for (int i = 0; i < data.length; ) {
                int n = Math.min(data.length - i, r.nextInt(70_000)); // 0-length updates too
                ours.update(data, i, n);
                jdk.update(data, i, n);
                i += n;
            }
            assertArrayEquals(jdk.digest(), ours.digest(), "seed " + seed + ", " + data.length + " bytes");
        }
    }

    @Test
    void resetDropsPendingSingleBytes() throws Exception {
        MessageDigest ours = new OpenSslSha256();
        ours.update((byte) 1);
        ours.update(random(10));
        ours.update((byte) 2);
        ours.reset();
        byte[] data = random(77);
        ours.update(data);
        assertArrayEquals(jdk().digest(data), ours.digest());
    }

    @Test
    void sha256CloneContinuesIndependently() throws Exception {
        byte[] a = random(100);
        byte[] b = random(300);
        MessageDigest ours = new OpenSslSha256();
        ours.update(a);
        ours.update((byte) 7);
        MessageDigest copy = (MessageDigest) ours.clone();
        ours.update(b);
        MessageDigest jdk = jdk();
        jdk.update(a);
        jdk.update((byte) 7);
        MessageDigest jdkCopy = (MessageDigest) jdk.clone();
        jdk.update(b);
        assertArrayEquals(jdk.digest(), ours.digest());
        assertArrayEquals(jdkCopy.digest(), copy.digest());
    }

    @Test
    void digestsUseLibcrypto() throws Exception {
        assertTrue(Digests.sha256() instanceof OpenSslSha256);
        assertEquals("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Digests.of(new byte[0]));
        byte[] data = random(100_000);
        String expected = "sha256:" + java.util.HexFormat.of().formatHex(jdk().digest(data));
        assertEquals(expected, Digests.of(data));
    }

    @Test
    void switchedOffByTheSystemProperty() {
        String before = System.getProperty("peapod.openssl");
        System.setProperty("peapod.openssl", "false");
        try {
            assertNull(OpenSsl.load(), "-Dpeapod.openssl=false leaves digests to the JDK");
        } finally {
            if (before == null) {
                System.clearProperty("peapod.openssl");
            } else {
                System.setProperty("peapod.openssl", before);
            }
        }
        assertNotNull(OpenSsl.load());
    }
}
