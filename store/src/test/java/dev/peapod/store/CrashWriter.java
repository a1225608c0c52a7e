package dev.peapod.store;

import java.nio.file.Path;

/**
 * The child JVM of {@link CrashSafetyTest}: writes until killed, printing the revision of every
 * write after it returned (acknowledged), as a client of the API would see it.
 */
public final class CrashWriter {
    public static void main(String[] args) {
        var store = SqliteStore.open(Path.of(args[0]), 50);
        System.out.println("ready");
        System.out.flush();
        for (int i = 0; ; i++) {
            var key = new Key("pods", "default", "p" + (i % 20));
            var obj = ObjectStoreContractTest.obj("uid-" + (i % 20), "v" + i);
            long rev = store.get(key).isPresent() ? store.update(key, obj, 0).revision() : store.create(key, obj).revision();
            System.out.println(rev);
            System.out.flush();
        }
    }
}
