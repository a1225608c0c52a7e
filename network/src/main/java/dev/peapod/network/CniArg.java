package dev.peapod.network;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One key=value pair of {@code CNI_ARGS} (CNI spec 1.0, section 2; keys such as
 * {@code K8S_POD_NAMESPACE}, {@code K8S_POD_NAME}, {@code K8S_POD_INFRA_CONTAINER_ID} and
 * {@code K8S_POD_UID} are the conventions kubelet follows). Plugins reject keys they do not know
 * unless {@link #IGNORE_UNKNOWN} comes first.
 */
public record CniArg(String key, String value) {
    /** {@code IgnoreUnknown=1}: makes the plugins' argument parser skip keys it does not know. */
    public static final CniArg IGNORE_UNKNOWN = new CniArg("IgnoreUnknown", "1");

    public CniArg {
        check("key", key);
        check("value", value);
        if (key.isEmpty()) throw new IllegalArgumentException("CNI_ARGS key is empty");
    }

    private static void check(String what, String s) {
        if (s == null || s.indexOf(';') >= 0 || s.indexOf('=') >= 0 || s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("CNI_ARGS " + what + " " + s + " is missing or contains ';', '=' or NUL");
        }
    }

    /** The {@code CNI_ARGS} value: "K1=V1;K2=V2". */
    static String format(List<CniArg> args) {
        return args.stream().map(a -> a.key + "=" + a.value).collect(Collectors.joining(";"));
    }
}
