package dev.peapod.node;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Container ids: 64 hex characters, like the ids Kubernetes shows for CRI runtimes. */
final class ContainerIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    private ContainerIds() {}

    static String next() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
