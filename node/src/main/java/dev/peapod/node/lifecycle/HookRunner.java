package dev.peapod.node.lifecycle;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ExecAction;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SleepAction;

import java.net.http.HttpClient;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeoutException;

/**
 * Runs one container lifecycle hook (postStart or preStop) the way kubelet's
 * {@code pkg/kubelet/lifecycle/handlers.go} does, and reports how it ended as a {@link HookResult}
 * (https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/).
 *
 * <ul>
 *   <li>{@code exec}: the command runs in the container through the injected {@link Exec}; a
 *       non-zero exit fails the hook.</li>
 *   <li>{@code httpGet}: one GET from the node (see {@link HttpHook}). Only a transport failure
 *       fails the hook: kubelet does not look at the status code of a lifecycle request
 *       (kubernetes#56963, closed without a change), so neither do we; pods that work under
 *       kubelet keep working here.</li>
 *   <li>{@code sleep}: waits {@code seconds} (0 allowed since 1.34, KEP-3960/KEP-4818); an
 *       interrupt (the container ended) fails it with kubelet's "container terminated before
 *       sleep hook finished".</li>
 * </ul>
 *
 * <p>Every run takes a {@code timeout}: for preStop the caller passes what is left of the grace
 * period (kubelet's {@code executePreStopHook} stops waiting when it runs out, and the time the
 * hook took is taken off the grace period); for postStart kubelet has no limit, so pass
 * {@link #NO_TIMEOUT} or the caller's own bound.
 *
 * <p>Contract: thread safe if the injected parts are; {@link #run} blocks the calling (virtual)
 * thread until the hook ends or the timeout passes, and answers an interrupt by returning
 * {@link HookResult.Failed} with the thread's interrupt flag set again. It never throws for
 * anything the hook does.
 */
public final class HookRunner {
    /** For postStart, which kubelet never times out. */
    public static final Duration NO_TIMEOUT = Duration.ofDays(3650);
    /** Event reasons and messages kubelet records ({@code pkg/kubelet/events/event.go}). */
    public static final String FAILED_POST_START_HOOK = "FailedPostStartHook";
    public static final String FAILED_PRE_STOP_HOOK = "FailedPreStopHook";
    public static final String POST_START_EVENT_MESSAGE = "PostStartHook failed";
    public static final String PRE_STOP_EVENT_MESSAGE = "PreStopHook failed";
    /** The waiting reason of a container whose postStart failed ({@code ErrPostStartHook}). */
    public static final String POST_START_HOOK_ERROR = "PostStartHookError";

    /**
     * Runs a command in a running container and waits for it (the OCI runtime's {@code exec}).
     * Implementations throw {@link TimeoutException} if the command outlives {@code timeout} (and
     * stop it), {@link InterruptedException} if the caller is interrupted, and a runtime exception
     * whose message is the cause if the command could not be run at all.
     */
    @FunctionalInterface
    public interface Exec {
        ExecResult exec(String containerId, List<String> argv, Duration timeout)
                throws TimeoutException, InterruptedException;
    }

    /** What an exec'd command left: its exit code and its output, stdout and stderr apart as CRI's ExecSync reports them. */
    public record ExecResult(int exitCode, String stdout, String stderr) {
        public ExecResult {
            stdout = stdout == null ? "" : stdout;
            stderr = stderr == null ? "" : stderr;
        }
    }

    /** Waits; tests pass one that records instead. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;

        Sleeper REAL = Thread::sleep;
    }

    /**
     * The container a hook runs for. {@code podIp} is the host an {@code httpGet} without
     * {@code host} talks to (kubelet uses the pod's first IP); null if the pod has none.
     */
    public record Target(Pod pod, Container container, String containerId, String podIp) {
        public Target {
            Objects.requireNonNull(pod, "pod");
            Objects.requireNonNull(container, "container");
            Objects.requireNonNull(containerId, "containerId");
        }

        /** kubelet's {@code format.Pod}: {@code name_namespace(uid)}. */
        String podRef() {
            var m = pod.getMetadata();
            return m.getName() + "_" + m.getNamespace() + "(" + m.getUid() + ")";
        }

        /** {@code for Container "c" in Pod "p_ns(uid)"}, the middle of every kubelet hook message. */
        String where() {
            return "for Container " + GoText.quote(container.getName()) + " in Pod " + GoText.quote(podRef());
        }
    }

    private final Exec exec;
    private final HttpHook http;
    private final Sleeper sleeper;

    public HookRunner(Exec exec, HttpClient httpClient, Sleeper sleeper, InstantSource clock) {
        this(exec, constant(Objects.requireNonNull(httpClient, "httpClient")), sleeper, clock);
    }

    private HookRunner(Exec exec, java.util.function.Supplier<HttpClient> httpClient, Sleeper sleeper, InstantSource clock) {
        this.exec = Objects.requireNonNull(exec, "exec");
        this.http = new HttpHook(httpClient, Objects.requireNonNull(clock, "clock"));
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /**
     * A runner with kubelet's HTTP client ({@link #defaultHttpClient}), real sleeps and the system
     * clock. The client is built on the first httpGet hook: building it loads the JDK's TLS stack
     * (~100 ms in a cold JVM), which most pods never need, on the start path of every `peapod up`.
     */
    public static HookRunner withDefaults(Exec exec) {
        // Built once (a client owns a selector thread): a lazy holder, not a CAS that may build twice.
        return new HookRunner(exec, LazyClient::get, Sleeper.REAL, InstantSource.system());
    }

    private static final class LazyClient {
        private static final HttpClient CLIENT = defaultHttpClient();

        static HttpClient get() { return CLIENT; }
    }

    private static java.util.function.Supplier<HttpClient> constant(HttpClient client) {
        return () -> client;
    }

    /**
     * The client kubelet uses for lifecycle requests ({@code kubelet.go}
     * {@code insecureContainerLifecycleHTTPClient}): TLS without verification (there is nothing
     * to verify a pod's certificate against), HTTP/1.1, no proxy, redirects handled by
     * {@link HttpHook} (same host only, at most 10). Build one and share it.
     */
    public static HttpClient defaultHttpClient() {
        return HttpHook.newClient();
    }

    /**
     * Whether a {@code Host} header in {@code httpGet.httpHeaders} can be sent. The JDK client
     * refuses it unless {@code jdk.httpclient.allowRestrictedHeaders} contains {@code host} when
     * the client's classes load; this class sets that property if nobody has, which works only if
     * it runs first. Set {@code -Djdk.httpclient.allowRestrictedHeaders=host} at startup to be
     * sure. Without it the header is left out and the request goes to the host's own name.
     */
    public static boolean hostHeaderAllowed() {
        return HttpHook.hostHeaderAllowed();
    }

    /** Runs {@code handler} for {@code target}, giving it at most {@code timeout}. */
    public HookResult run(Target target, LifecycleHandler handler, Duration timeout) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(timeout, "timeout");
        if (handler.getExec() != null) return exec(target, handler.getExec(), timeout);
        if (handler.getHttpGet() != null) return http.run(target, handler.getHttpGet(), timeout);
        if (handler.getSleep() != null) return sleep(target, handler.getSleep(), timeout);
        // tcpSocket is accepted by the API for backward compatibility only; kubelet fails it at
        // run time ("TCPSocket is NOT supported as a LifecycleHandler").
        String what = handler.getTcpSocket() != null ? "tcpSocket is not supported as a lifecycle handler"
                : "no exec, httpGet or sleep action";
        return new HookResult.Failed("Cannot run handler: invalid handler: " + what);
    }

    private HookResult exec(Target target, ExecAction action, Duration timeout) {
        List<String> argv = action.getCommand() == null ? List.of() : List.copyOf(action.getCommand());
        String prefix = "Exec lifecycle hook (" + GoText.slice(argv) + ") " + target.where();
        if (!timeout.isPositive()) return timedOut(prefix, timeout);
        try {
            ExecResult r = exec.exec(target.containerId(), argv, timeout);
            if (r.exitCode() == 0) return HookResult.succeeded();
            // CRI ExecSync's error ("command '%s' exited with %d: <stderr>") and then the combined
            // output, as kubelet's handlers.go formats them.
            String error = "command '" + String.join(" ", argv) + "' exited with " + r.exitCode() + ": " + r.stderr();
            return new HookResult.Failed(prefix + " failed - error: " + error + ", message: " + GoText.quote(r.stdout() + r.stderr()));
        } catch (TimeoutException e) {
            return timedOut(prefix, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new HookResult.Failed(prefix + " failed - error: interrupted before the command finished, message: \"\"");
        } catch (RuntimeException e) {
            return new HookResult.Failed(prefix + " failed - error: " + e.getMessage() + ", message: \"\"");
        }
    }

    private HookResult sleep(Target target, SleepAction action, Duration timeout) {
        long seconds = action.getSeconds() == null ? 0 : Math.max(0, action.getSeconds());
        String prefix = "Sleep lifecycle hook (" + seconds + ") " + target.where();
        if (seconds == 0) return HookResult.succeeded();
        Duration wanted = Duration.ofSeconds(seconds);
        boolean cut = wanted.compareTo(timeout) > 0;
        try {
            if (timeout.isPositive()) sleeper.sleep(cut ? timeout : wanted);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new HookResult.Failed(prefix + " failed - error: container terminated before sleep hook finished");
        }
        return cut ? timedOut(prefix, timeout) : HookResult.succeeded();
    }

    static HookResult.TimedOut timedOut(String prefix, Duration timeout) {
        Duration shown = timeout.isNegative() ? Duration.ZERO : timeout;
        return new HookResult.TimedOut(prefix + " did not complete within " + GoText.duration(shown));
    }
}
