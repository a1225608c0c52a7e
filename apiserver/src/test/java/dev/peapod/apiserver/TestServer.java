package dev.peapod.apiserver;

import dev.peapod.store.MemoryStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/** An API server over a {@link MemoryStore} on a free loopback port, with its kubeconfig written to {@code dir}. */
final class TestServer implements AutoCloseable {
    final MemoryStore store;
    final Pki pki;
    final ApiServer server;
    final Path kubeconfig;
    final String url;

    TestServer(Path dir) throws Exception {
        this(dir, PodExec.NONE);
    }

    /** @param exec the node's exec (a fake) for {@code pods/exec} */
    TestServer(Path dir, PodExec exec) throws Exception {
        this(dir, exec, PodAttach.NONE);
    }

    /** @param attach the node's attach (a fake) for {@code pods/attach} */
    TestServer(Path dir, PodExec exec, PodAttach attach) throws Exception {
        this(dir, exec, attach, new MemoryStore());
    }

    /** @param portForward the node's port-forward (a fake) for {@code pods/portforward} */
    TestServer(Path dir, PodExec exec, PodPortForward portForward) throws Exception {
        this(dir, exec, PodAttach.NONE, new MemoryStore(), portForward);
    }

    /** @param store the store, e.g. one with a short watch log window (410 Gone sooner) */
    TestServer(Path dir, PodExec exec, PodAttach attach, MemoryStore store) throws Exception {
        this(dir, exec, attach, store, PodPortForward.NONE);
    }

    TestServer(Path dir, PodExec exec, PodAttach attach, MemoryStore store, PodPortForward portForward) throws Exception {
        this.store = store;
        pki = Pki.loadOrCreate(dir.resolve("pki"), "127.0.0.1");
        Bootstrap.ensure(store, Clock.systemUTC().instant());
        // The handler learns the real port only after binding; discovery's serverAddress is informational.
        server = ApiServer.start(new ApiHandler(store, pki.token(), "testnode", "127.0.0.1:0", Clock.systemUTC(),
                PodLogs.NONE, ResizeRules.NONE, exec, attach, portForward), pki, "127.0.0.1", 0);
        url = "https://127.0.0.1:" + server.port();
        kubeconfig = Files.writeString(dir.resolve("kubeconfig"), pki.kubeconfig(url));
    }

    @Override
    public void close() throws Exception {
        server.close();
        store.close();
    }
}
