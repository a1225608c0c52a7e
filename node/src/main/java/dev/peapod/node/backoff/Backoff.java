package dev.peapod.node.backoff;

import dev.peapod.node.plan.RestartGate;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The kubelet's container restart backoff (CrashLoopBackOff), after client-go
 * {@code util/flowcontrol/backoff.go} as kubelet uses it ({@code kuberuntime_manager.go doBackOff}).
 *
 * <p>One entry per key ({@link #key pod uid + container name}). The delay starts at
 * {@code initial} (10 s) and doubles on every restart up to {@code max} (300 s): the waits between
 * crashes are 0, 10, 20, 40, 80, 160, 300, 300… An entry whose last restart is more than
 * {@code 2 × max} (10 minutes by default) older than the latest exit starts over at
 * {@code initial}: "once a container has executed for 10 minutes without any problems, the kubelet
 * resets the restart backoff timer" (https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#container-restarts).
 * Base and cap are configurable (KEP-4603, KEP-5593 {@code crashLoopBackOff.maxContainerRestartPeriod};
 * kubernetes#57291). No jitter: kubelet builds its backoff without one.
 *
 * <p>How it is used, as kubelet does:
 * <ol>
 *   <li>the planner asks {@link #retryAt(String, Instant)} (or a {@link #gate(String) RestartGate}) with
 *       the latest attempt's {@code finishedAt}: empty means "restart now", else the container waits
 *       in {@code CrashLoopBackOff} until the returned instant;</li>
 *   <li>the executor calls {@link #next(String, Instant)} with the same {@code finishedAt} when it
 *       really restarts the container, which lengthens the next wait.</li>
 * </ol>
 * Asking never changes state, so recomputing a plan is harmless. A null {@code eventTime} means
 * "now".
 *
 * <p>Thread safe: every method takes one {@link ReentrantLock}; none blocks otherwise.
 */
public final class Backoff {

    /** kubelet {@code backOffPeriod}. */
    public static final Duration DEFAULT_INITIAL = Duration.ofSeconds(10);
    /** kubelet {@code MaxContainerBackOff}. */
    public static final Duration DEFAULT_MAX = Duration.ofSeconds(300);

    private record Entry(Duration delay, Instant lastUpdate) {}

    private final InstantSource clock;
    private final Duration initial;
    private final Duration max;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Entry> entries = new HashMap<>();

    /** The default curve: 10 s doubling to 300 s. */
    public Backoff(InstantSource clock) {
        this(clock, DEFAULT_INITIAL, DEFAULT_MAX);
    }

    /**
     * @throws IllegalArgumentException unless {@code 0 < initial <= max}
     */
    public Backoff(InstantSource clock, Duration initial, Duration max) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.initial = Objects.requireNonNull(initial, "initial");
        this.max = Objects.requireNonNull(max, "max");
        if (initial.isZero() || initial.isNegative() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("failed to configure backoff: need 0 < initial <= max, got initial="
                    + initial + " max=" + max);
        }
    }

    /** The key of one container of one pod. */
    public static String key(String podUid, String container) {
        return podUid + "/" + container;
    }

    public Duration initial() { return initial; }

    public Duration max() { return max; }

    /**
     * Whether a container whose latest attempt ended at {@code eventTime} must still wait
     * (client-go {@code IsInBackOffSince}): true when the key has a live entry and less than its
     * delay has passed since {@code eventTime}.
     */
    public boolean inBackoffSince(String key, Instant eventTime) {
        return retryAt(key, eventTime).isPresent();
    }

    /**
     * When a container whose latest attempt ended at {@code eventTime} may restart.
     *
     * @return empty if it may restart now, else {@code eventTime + delay}
     */
    public Optional<Instant> retryAt(String key, Instant eventTime) {
        lock.lock();
        try {
            eventTime = orNow(eventTime);
            Entry e = entries.get(key);
            if (e == null || expired(e, eventTime)) return Optional.empty();
            Instant at = eventTime.plus(e.delay());
            return clock.instant().isBefore(at) ? Optional.of(at) : Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Records a restart of a container whose latest attempt ended at {@code eventTime}
     * (client-go {@code Next}): a new or expired entry starts at {@code initial}, otherwise the
     * delay doubles, capped at {@code max}.
     *
     * @return the delay the container will have to wait after its next exit
     */
    public Duration next(String key, Instant eventTime) {
        lock.lock();
        try {
            eventTime = orNow(eventTime);
            Entry e = entries.get(key);
            Duration delay = (e == null || expired(e, eventTime)) ? initial : min(e.delay().multipliedBy(2), max);
            entries.put(key, new Entry(delay, clock.instant()));
            return delay;
        } finally {
            lock.unlock();
        }
    }

    /** The current delay of {@code key}, {@link Duration#ZERO} if it has no entry (client-go {@code Get}). */
    public Duration delay(String key) {
        lock.lock();
        try {
            Entry e = entries.get(key);
            return e == null ? Duration.ZERO : e.delay();
        } finally {
            lock.unlock();
        }
    }

    /** Forgets {@code key}: its next restart is immediate and the one after waits {@code initial}. */
    public void reset(String key) {
        lock.lock();
        try {
            entries.remove(key);
        } finally {
            lock.unlock();
        }
    }

    /** Forgets every container of a pod, e.g. when the pod is removed. */
    public void resetPod(String podUid) {
        String prefix = key(podUid, "");
        lock.lock();
        try {
            entries.keySet().removeIf(k -> k.startsWith(prefix));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Drops entries not updated for more than {@code 2 × max}: they would start over at
     * {@code initial} anyway (client-go {@code GC}). Call it periodically.
     *
     * @return how many entries were dropped
     */
    public int gc() {
        Instant now = clock.instant();
        lock.lock();
        try {
            int before = entries.size();
            entries.values().removeIf(e -> expired(e, now));
            return before - entries.size();
        } finally {
            lock.unlock();
        }
    }

    /** How many keys have an entry. */
    public int size() {
        lock.lock();
        try {
            return entries.size();
        } finally {
            lock.unlock();
        }
    }

    /** One key's state, carried across an engine restart in the pod's record (see {@link #of}/{@link #restore}). */
    public record State(Duration delay, Instant lastUpdate) {}

    /**
     * The entries of one pod's containers, by what follows the pod in their key (the container's
     * name, or whatever the caller keyed on). kubelet keeps its backoff in memory and a kubelet
     * restart forgets it; Peapod keeps it in the pod's record, so that a crash-looping container
     * of an adopted pod does not get an immediate restart from each restart of {@code peapod serve}.
     */
    public Map<String, State> of(String podUid) {
        String prefix = key(podUid, "");
        lock.lock();
        try {
            var out = new java.util.TreeMap<String, State>();
            entries.forEach((k, e) -> { if (k.startsWith(prefix)) out.put(k.substring(prefix.length()), new State(e.delay(), e.lastUpdate())); });
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** Puts back what {@link #of} gave for the pod (an adopted pod's record); existing entries of the pod are replaced. */
    public void restore(String podUid, Map<String, State> states) {
        lock.lock();
        try {
            states.forEach((k, st) -> {
                if (st != null && st.delay() != null && st.lastUpdate() != null) {
                    entries.put(key(podUid, k), new Entry(min(st.delay(), max), st.lastUpdate()));
                }
            });
        } finally {
            lock.unlock();
        }
    }

    /** The planner's view of one pod's containers; asking never records anything. */
    public RestartGate gate(String podUid) {
        return (container, finishedAt) -> retryAt(key(podUid, container), finishedAt);
    }

    /**
     * client-go {@code hasExpired}: an entry last updated (≈ the container last started) more than
     * {@code 2 × max} before {@code eventTime} means the container ran stably for that long.
     */
    private boolean expired(Entry e, Instant eventTime) {
        return Duration.between(e.lastUpdate(), eventTime).compareTo(max.multipliedBy(2)) > 0;
    }

    /** An exit without a recorded time counts as an exit now. */
    private Instant orNow(Instant eventTime) {
        return eventTime != null ? eventTime : clock.instant();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
