package dev.peapod.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.peapod.oci.ContainerState;
import dev.peapod.oci.CreateRequest;
import dev.peapod.oci.CreatedContainer;
import dev.peapod.oci.OciException;
import dev.peapod.oci.OciRuntime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * An in-memory {@link OciRuntime}: containers go {@code created → running → stopped} without any
 * process. It reads nothing but the bundle's {@code config.json} ({@code process.args}, which
 * picks the container's {@link FakeProcess}) and writes only what conmon would write: the exit
 * file {@code <exitDir>/<id>} (holding the exit code) when a process exits, and CRI log lines
 * when a process prints.
 *
 * <p>Scripting: {@link #onStart} rules, newest first, choose each container's process at
 * {@code create}; without a match the process runs until signalled. Every action and exit is
 * recorded in order ({@link #calls}).
 *
 * <p>Contract as {@link OciRuntime}: thread safe; {@code kill} and {@code delete} of an unknown
 * container are no-ops. A signal that kills is handled before {@code kill} returns (the exit
 * file exists then); a scripted {@link FakeProcess.Exit} exits on a virtual thread of its own.
 */
public final class FakeOciRuntime implements OciRuntime {

    /** What a rule sees: the id, the args and how many earlier creates had the same args (0 for the first). */
    public record Launch(String id, List<String> args, int attempt) {
        public String program() { return args.isEmpty() ? "" : args.getFirst(); }
    }

    public enum Status { CREATED, RUNNING, STOPPED }

    /** A snapshot of one container the runtime knows (created and not deleted). */
    public record Container(String id, List<String> args, Status status, OptionalInt exitCode, Path bundle,
                            Path logPath, int pid) {
        public String program() { return args.isEmpty() ? "" : args.getFirst(); }
    }

    private record Rule(Predicate<Launch> when, FakeProcess process) {}

    /** Mutable state of one container, guarded by {@link #lock}. */
    private static final class Box {
        final String id;
        final List<String> args;
        final Path bundle;
        final Path log;
        final int pid;
        final FakeProcess process;
        Status status = Status.CREATED;
        Integer exitCode;

        Box(String id, List<String> args, Path bundle, Path log, int pid, FakeProcess process) {
            this.id = id;
            this.args = args;
            this.bundle = bundle;
            this.log = log;
            this.pid = pid;
            this.process = process;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path exitDir;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Box> boxes = new LinkedHashMap<>();
    private final Map<List<String>, Integer> launches = new HashMap<>();
    private final List<Rule> rules = new ArrayList<>();
    private final List<OciCall> calls = new ArrayList<>();
    private FakeProcess fallback = FakeProcess.runUntilSignalled();
    private int nextPid = 40_000;

    /** @param exitDir a real directory (created if missing) where exit files go, as conmon's {@code --exit-dir} */
    public FakeOciRuntime(Path exitDir) {
        this.exitDir = exitDir;
        try {
            Files.createDirectories(exitDir);
        } catch (IOException e) {
            throw new IllegalStateException("failed to create exit dir " + exitDir + ": " + e.getMessage(), e);
        }
    }

    /** Containers created from now on whose launch matches get {@code process}; newer rules win. */
    public FakeOciRuntime onStart(Predicate<Launch> when, FakeProcess process) {
        withLock(() -> rules.add(new Rule(when, process)));
        return this;
    }

    /** {@link #onStart} for every container whose {@code args[0]} is {@code program}. */
    public FakeOciRuntime onProgram(String program, FakeProcess process) {
        return onStart(l -> l.program().equals(program), process);
    }

    /** The process of containers that no rule matches (at first: run until signalled). */
    public FakeOciRuntime otherwise(FakeProcess process) {
        withLock(() -> fallback = process);
        return this;
    }

    @Override
    public CreatedContainer create(CreateRequest request) {
        String id = request.id();
        List<String> args = readArgs(request);
        lock.lock();
        try {
            if (boxes.containsKey(id)) throw fail(OciCall.Op.CREATE, id, args, "create", "container already exists");
            int attempt = launches.merge(args, 1, Integer::sum) - 1;
            FakeProcess process = choose(new Launch(id, args, attempt));
            if (process instanceof FakeProcess.FailCreate f) throw fail(OciCall.Op.CREATE, id, args, "create", f.stderr());
            CriLog.touch(request.logPath());
            Files.deleteIfExists(exitDir.resolve(id)); // a stale exit file would lie about this container
            var box = new Box(id, args, request.bundle(), request.logPath(), nextPid, process);
            nextPid += 2;
            boxes.put(id, box);
            record(OciCall.Op.CREATE, id, args, "");
            return new CreatedContainer(id, box.pid, box.pid + 1);
        } catch (IOException e) {
            throw fail(OciCall.Op.CREATE, id, args, "create", e.toString());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void start(String id) {
        lock.lock();
        try {
            Box box = boxes.get(id);
            if (box == null) throw fail(OciCall.Op.START, id, List.of(), "start", "container does not exist");
            if (box.status != Status.CREATED) {
                throw fail(OciCall.Op.START, id, box.args, "start", "container is " + box.status + ", not created");
            }
            if (box.process instanceof FakeProcess.FailStart f) throw fail(OciCall.Op.START, id, box.args, "start", f.stderr());
            box.status = Status.RUNNING;
            record(OciCall.Op.START, id, box.args, "");
            switch (box.process) {
                case FakeProcess.Exit e -> {
                    CriLog.append(box.log, e.output());
                    Thread.ofVirtual().name("fake-process-" + id).start(() -> exitLater(box, e));
                }
                case FakeProcess.Run r -> CriLog.append(box.log, r.output());
                case FakeProcess.FailCreate f -> throw new IllegalStateException("created a container that fails create");
                case FakeProcess.FailStart f -> throw new IllegalStateException("unreachable");
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void kill(String id, String signal, boolean all) {
        String name = FakeProcess.signalName(signal);
        lock.lock();
        try {
            Box box = boxes.get(id);
            List<String> args = box == null ? List.of() : box.args;
            int number;
            try {
                number = FakeProcess.signalNumber(name);
            } catch (IllegalArgumentException e) {
                throw fail(OciCall.Op.KILL, id, args, "kill", "unknown signal " + signal);
            }
            record(OciCall.Op.KILL, id, args, name);
            if (box == null || box.status == Status.STOPPED) return;
            boolean ignored = box.status == Status.RUNNING && box.process instanceof FakeProcess.Run r
                    && r.ignored().contains(name);
            if (!ignored) die(box, 128 + number);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void delete(String id, boolean force) {
        lock.lock();
        try {
            Box box = boxes.get(id);
            if (box == null) {
                record(OciCall.Op.DELETE, id, List.of(), force ? "force" : "");
                return;
            }
            if (box.status == Status.RUNNING && !force) {
                throw fail(OciCall.Op.DELETE, id, box.args, "delete", "container is running");
            }
            if (box.status != Status.STOPPED) die(box, 137);
            record(OciCall.Op.DELETE, id, box.args, force ? "force" : "");
            boxes.remove(id);
            Files.deleteIfExists(exitDir.resolve(id)); // as ConmonRuntime.delete: read exitCode first
        } catch (IOException e) {
            throw new OciException("failed to delete container " + id + ": " + e, e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<ContainerState> state(String id) {
        lock.lock();
        try {
            return Optional.ofNullable(boxes.get(id))
                    .map(b -> new ContainerState(id, b.status.name().toLowerCase(java.util.Locale.ROOT), b.pid));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public OptionalInt exitCode(String id) {
        lock.lock();
        try {
            Box box = boxes.get(id);
            return box == null || box.exitCode == null ? OptionalInt.empty() : OptionalInt.of(box.exitCode);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Path exitDir() { return exitDir; }

    @Override
    public String name() { return "fake"; }

    /**
     * Makes a running container's process exit by itself now with {@code code}.
     *
     * @throws IllegalStateException if the container is unknown or not running
     */
    public void exit(String id, int code) {
        lock.lock();
        try {
            Box box = boxes.get(id);
            if (box == null || box.status != Status.RUNNING) {
                throw new IllegalStateException("container " + id + " is not running: " + (box == null ? "unknown" : box.status));
            }
            die(box, code);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Makes a container disappear from the runtime without an exit: no state, no exit code, as when
     * something outside Peapod ran {@code crun delete -f} and removed conmon's exit file.
     */
    public void vanish(String id) {
        lock.lock();
        try {
            boxes.remove(id);
            Files.deleteIfExists(exitDir.resolve(id));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            lock.unlock();
        }
    }

    /** Every action and exit so far, oldest first. */
    public List<OciCall> calls() {
        lock.lock();
        try {
            return List.copyOf(calls);
        } finally {
            lock.unlock();
        }
    }

    /** The containers the runtime knows now (created and not deleted), in creation order. */
    public List<Container> containers() {
        lock.lock();
        try {
            return boxes.values().stream().map(b -> new Container(b.id, b.args, b.status,
                    b.exitCode == null ? OptionalInt.empty() : OptionalInt.of(b.exitCode), b.bundle, b.log, b.pid)).toList();
        } finally {
            lock.unlock();
        }
    }

    private FakeProcess choose(Launch launch) {
        for (int i = rules.size() - 1; i >= 0; i--) {
            if (rules.get(i).when().test(launch)) return rules.get(i).process();
        }
        return fallback;
    }

    private void exitLater(Box box, FakeProcess.Exit e) {
        try {
            Thread.sleep(e.after());
        } catch (InterruptedException interrupted) {
            return;
        }
        lock.lock();
        try {
            if (box.status == Status.RUNNING && boxes.get(box.id) == box) die(box, e.code());
        } finally {
            lock.unlock();
        }
    }

    /** The process ended: state first, then the exit file, so that whoever sees the file reads the code. */
    private void die(Box box, int code) {
        box.status = Status.STOPPED;
        box.exitCode = code;
        record(OciCall.Op.EXIT, box.id, box.args, String.valueOf(code));
        try {
            Files.writeString(exitDir.resolve(box.id), String.valueOf(code));
        } catch (IOException e) {
            throw new OciException("failed to write exit file of " + box.id + ": " + e, e);
        }
    }

    private List<String> readArgs(CreateRequest request) {
        Path config = request.bundle().resolve("config.json");
        try {
            JsonNode args = JSON.readTree(config.toFile()).path("process").path("args");
            var out = new ArrayList<String>();
            args.forEach(a -> out.add(a.asText()));
            return List.copyOf(out);
        } catch (IOException e) {
            lock.lock();
            try {
                throw fail(OciCall.Op.CREATE, request.id(), List.of(), "create", "cannot read " + config + ": " + e.getMessage());
            } finally {
                lock.unlock();
            }
        }
    }

    /** Records a failed action and returns the exception the real driver would throw. */
    private OciException fail(OciCall.Op op, String id, List<String> args, String verb, String stderr) {
        record(op, id, args, "failed: " + stderr);
        return new OciException("failed to " + verb + " container " + id + ": " + stderr);
    }

    private void record(OciCall.Op op, String id, List<String> args, String detail) {
        calls.add(new OciCall(op, id, args, detail, Instant.now()));
    }

    private void withLock(Runnable r) {
        lock.lock();
        try {
            r.run();
        } finally {
            lock.unlock();
        }
    }
}
