package dev.peapod.node;

import java.net.Inet4Address;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;

/** The host's primary IPv4 address for status.hostIP (the first non-loopback, up interface). */
public final class HostAddress {
    private HostAddress() {}

    public static String primary() {
        try {
            for (var nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback() || nic.isVirtual() || nic.getName().startsWith("peapod")
                        || nic.getName().startsWith("veth") || nic.getName().startsWith("cni")) continue;
                for (var addr : Collections.list(nic.getInetAddresses())) {
                    if (addr instanceof Inet4Address) return addr.getHostAddress();
                }
            }
        } catch (SocketException ignored) {
            // fall through
        }
        return "127.0.0.1";
    }
}
