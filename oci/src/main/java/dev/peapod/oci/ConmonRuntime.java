package dev.peapod.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * {@link OciRuntime} for crun or runc, with one conmon per container (the podman / cri-o model):
 * conmon runs {@code <runtime> create}, holds the container's stdio, writes the CRI log and the
 * exit file, and keeps running when the JVM exits, so containers survive a restart of Peapod.
 * {@code start}/{@code kill}/{@code delete}/{@code state} call the runtime directly.
 *
 * <p>Files under {@link Config#stateDir()}:
 * <pre>
 *   exits/&lt;id&gt;                 exit code, written by conmon when the container exits
 *   containers/&lt;id&gt;/pidfile     container init pid (written by the runtime)
 *   containers/&lt;id&gt;/conmon.pid  conmon's pid; also conmon's --persist-dir
 *   attach/&lt;id&gt;                symlink to the bundle, where conmon's attach socket lives
 * </pre>
 * The runtime keeps its own state under {@link Config#runtimeRoot()} ({@code --root}), apart from
 * podman's {@code /run/crun}, so {@code crun list} there shows only Peapod's containers.
 */
public final class ConmonRuntime implements OciRuntime {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Ids become file names and argv: keep them to what crun, runc and conmon all accept. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final Map<String, String> ENV =
            Map.of("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");

    /**
     * @param runtime     crun or runc binary
     * @param conmon      conmon binary
     * @param stateDir    Peapod's runtime state, e.g. /run/peapod/oci
     * @param runtimeRoot the runtime's {@code --root}, e.g. /run/peapod/crun
     * @param timeout     bound on every runtime call; kubelet's runtime-request-timeout is 2m
     */
    public record Config(Path runtime, Path conmon, Path stateDir, Path runtimeRoot, Duration timeout) {
        public Config {
            Objects.requireNonNull(runtime, "runtime");
            Objects.requireNonNull(conmon, "conmon");
            Objects.requireNonNull(stateDir, "stateDir");
            Objects.requireNonNull(runtimeRoot, "runtimeRoot");
            Objects.requireNonNull(timeout, "timeout");
            // conmon and the runtime run with the bundle as their working directory: relative paths would break.
            runtime = runtime.toAbsolutePath();
            conmon = conmon.toAbsolutePath();
            stateDir = stateDir.toAbsolutePath();
            runtimeRoot = runtimeRoot.toAbsolutePath();
        }

        /** crun if installed (runc otherwise), conmon, the runtime root {@code /run/peapod/<runtime>}, 2 minutes. */
        public static Config detect(Path stateDir) {
            Path runtime = detectRuntime("crun");
            return new Config(runtime, detectConmon(), stateDir,
                    Path.of("/run/peapod").resolve(runtime.getFileName().toString()), Duration.ofMinutes(2));
        }

        public Path exitDir() { return stateDir.resolve("exits"); }

        public Path socketDir() { return stateDir.resolve("attach"); }

        public Path containerDir(String id) { return stateDir.resolve("containers").resolve(id); }
    }

    private final Config config;
    private final ProcessRunner runner;
    private final String name;

    public ConmonRuntime(Config config, ProcessRunner runner) {
        this.config = config;
        this.runner = runner;
        this.name = config.runtime().getFileName().toString();
        try {
            Files.createDirectories(config.exitDir());
            Files.createDirectories(config.socketDir());
            Files.createDirectories(config.stateDir().resolve("containers"));
            Files.createDirectories(config.runtimeRoot());
        } catch (IOException e) {
            throw new OciException("failed to prepare runtime state dir " + config.stateDir() + ": " + e, e);
        }
    }

    /** The runtime binary: {@code preferred} ("crun" or "runc") if installed, else the other one. */
    public static Path detectRuntime(String preferred) {
        String other = "crun".equals(preferred) ? "runc" : "crun";
        return Executables.find(preferred).or(() -> Executables.find(other)).orElseThrow(() -> new OciException(
                "failed to find an OCI runtime: neither crun nor runc is installed (apt-get install -y crun)"));
    }

    /** conmon on the PATH, in /usr/bin, /usr/sbin or /usr/libexec/podman. */
    public static Path detectConmon() {
        return Executables.find("conmon").orElseThrow(() -> new OciException(
                "failed to find conmon: not installed (apt-get install -y conmon)"));
    }

    public Config config() { return config; }

    @Override
    public CreatedContainer create(CreateRequest request) {
        String id = checkId(request.id());
        if (known(id)) {
            throw new OciException("failed to create container " + id + ": it already exists");
        }
        Path dir = config.containerDir(id);
        try {
            Files.deleteIfExists(config.exitDir().resolve(id)); // a stale exit file would lie about this one
            Files.createDirectories(dir);
            Path logDir = request.logPath().toAbsolutePath().getParent();
            if (logDir != null) {
                Files.createDirectories(logDir);
            }
        } catch (IOException e) {
            throw new OciException("failed to create container " + id + ": " + e, e);
        }
        try {
            ConmonLauncher.Started started = ConmonLauncher.launch(config.conmon(), conmonArgs(request, dir), id,
                    dir.resolve("conmon.pid"), config.timeout());
            return new CreatedContainer(id, started.pid(), started.conmonPid());
        } catch (OciException e) {
            rollback(id);
            throw e;
        }
    }

    /**
     * conmon's flags as podman and cri-o pass them. Left out on purpose: {@code --sync} (conmon's
     * first process would stay our child instead of detaching); {@code --exit-command} (Peapod
     * reads the exit file rather than being called back by a process per exit);
     * {@code --log-size-max} (log rotation is the kubelet's job, containerLogMaxSize).
     *
     * <p>Streams as CRI-O asks for them (Kubernetes' Container {@code stdin}, {@code stdinOnce},
     * {@code tty}): {@code -i} keeps the container's stdin open behind the attach socket;
     * without {@code --leave-stdin-open} conmon closes it when an attached client ends, which is
     * {@code stdinOnce}. {@code -t}: conmon receives the terminal's master through its own console
     * socket and serves it on the attach socket (its output as stdout), resized through the
     * bundle's {@code ctl} fifo.
     */
    List<String> conmonArgs(CreateRequest request, Path dir) {
        String id = request.id();
        List<String> args = new ArrayList<>(List.of("--api-version", "1",
                "-c", id, "-u", id, "-n", id,
                "-r", config.runtime().toString(),
                "-b", request.bundle().toAbsolutePath().toString(),
                "-p", dir.resolve("pidfile").toString(),
                "-P", dir.resolve("conmon.pid").toString(),
                "--exit-dir", config.exitDir().toString(),
                "--persist-dir", dir.toString(),
                "-l", "k8s-file:" + request.logPath().toAbsolutePath(),
                "--log-level", "error",
                "--runtime-arg", "--root=" + config.runtimeRoot(),
                "--socket-dir-path", config.socketDir().toString()));
        if (request.stdin()) {
            args.add("-i");
            if (!request.stdinOnce()) args.add("--leave-stdin-open");
        }
        if (request.tty()) {
            args.add("-t");
        }
        return args;
    }

    /** After a failed create: nothing of the container may remain (design habit 5). */
    private void rollback(String id) {
        try {
            if (known(id)) {
                runtime("delete", "--force", id);
            }
        } catch (OciException e) {
            // The original failure is the one worth reporting.
        }
        removeFiles(id);
    }

    @Override
    public void start(String id) {
        ProcessResult result = runtime("start", checkId(id));
        if (!result.succeeded()) {
            throw new OciException("failed to start container " + id + ": " + result.cause());
        }
    }

    @Override
    public void kill(String id, String signal, boolean all) {
        List<String> args = new ArrayList<>(List.of("kill"));
        if (all) {
            args.add("--all");
        }
        args.add(checkId(id));
        args.add(signal);
        ProcessResult result = runtime(args.toArray(String[]::new));
        if (!result.succeeded() && known(id) && !stopped(id)) {
            throw new OciException("failed to kill container " + id + " with " + signal + ": " + result.cause());
        }
    }

    /** A signal to a container that already exited is not an error: teardown must be idempotent. */
    private boolean stopped(String id) {
        return state(id).map(s -> "stopped".equals(s.status())).orElse(true);
    }

    /**
     * Removes the runtime state, then conmon's files. The exit file goes too, so read
     * {@link #exitCode} first. After a forced delete conmon still writes the exit file of the
     * killed process; we wait (bounded) for conmon to exit so that no stale file is left behind.
     */
    @Override
    public void delete(String id, boolean force) {
        checkId(id);
        ProcessResult result = force ? runtime("delete", "--force", id) : runtime("delete", id);
        if (!result.succeeded() && known(id)) {
            throw new OciException("failed to delete container " + id + ": " + result.cause());
        }
        conmonPid(id).ifPresent(pid -> Libc.awaitExit(pid, (int) Math.min(config.timeout().toMillis(), 10_000)));
        removeFiles(id);
    }

    private void removeFiles(String id) {
        try {
            Files.deleteIfExists(config.socketDir().resolve(id));
            Files.deleteIfExists(config.exitDir().resolve(id));
            Path dir = config.containerDir(id);
            if (Files.isDirectory(dir)) {
                try (var files = Files.list(dir)) {
                    for (Path file : files.toList()) {
                        Files.deleteIfExists(file);
                    }
                }
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new OciException("failed to delete container " + id + ": " + e, e);
        }
    }

    @Override
    public Optional<ContainerState> state(String id) {
        ProcessResult result = runtime("state", checkId(id));
        if (!result.succeeded()) {
            if (!known(id)) {
                return Optional.empty();
            }
            throw new OciException("failed to get state of container " + id + ": " + result.cause());
        }
        try {
            JsonNode json = JSON.readTree(result.stdout());
            return Optional.of(new ContainerState(json.path("id").asText(id), json.path("status").asText(),
                    json.path("pid").asInt(0)));
        } catch (IOException e) {
            throw new OciException("failed to get state of container " + id + ": bad JSON from " + name + ": " + e, e);
        }
    }

    @Override
    public OptionalInt exitCode(String id) {
        try {
            return OptionalInt.of(Integer.parseInt(Files.readString(config.exitDir().resolve(checkId(id))).strip()));
        } catch (NoSuchFileException e) {
            return OptionalInt.empty();
        } catch (IOException | NumberFormatException e) {
            throw new OciException("failed to read exit code of container " + id + ": " + e, e);
        }
    }

    /**
     * conmon's pid if that conmon is still running for this container. The pid comes from
     * conmon's pid file and is checked against /proc/&lt;pid&gt;/cmdline, so a reused pid is not
     * mistaken for it.
     */
    public OptionalInt conmonPid(String id) {
        try {
            int pid = Integer.parseInt(Files.readString(config.containerDir(checkId(id)).resolve("conmon.pid")).strip());
            String cmdline = Files.readString(Path.of("/proc", Integer.toString(pid), "cmdline"));
            return cmdline.contains("\0-c\0" + id + "\0") ? OptionalInt.of(pid) : OptionalInt.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /**
     * {@code <runtime> --root <root> exec --process <file> <id>}. The process file is the
     * container's own {@code process} from its bundle's config.json with {@code args} replaced
     * (what containerd and cri-o do for ExecSync), so the command runs as the container's user, with
     * its environment, working directory, capabilities and rlimits, and no argv is ever parsed as
     * runtime flags. The file is written once per container and command (named by a hash of argv,
     * in the container's state directory, which {@link #delete} removes), so a probe that runs every
     * second costs one runtime process and no JSON work after the first run.
     *
     * <p>Timeout: the {@link ProcessRunner} kills the runtime and its descendants (the command in
     * the container) when {@code timeout} passes, and throws. That exception is told apart from a
     * failure to start by the elapsed time: a runner that timed out has waited the whole timeout.
     */
    @Override
    public ExecResult exec(String id, List<String> argv, Duration timeout) {
        checkId(id);
        if (argv.isEmpty()) {
            throw new OciException("failed to exec in container " + id + ": empty command");
        }
        Path process = execProcessFile(id, argv, false, 0, 0);
        List<String> command = List.of(config.runtime().toString(), "--root", config.runtimeRoot().toString(),
                "exec", "--process", process.toString(), id);
        long start = System.nanoTime();
        try {
            ProcessResult result = runner.run(command, ENV, null, timeout);
            return new ExecResult(result.exitCode(), result.stdout(), result.stderr(), false);
        } catch (OciException e) {
            if (System.nanoTime() - start >= timeout.toNanos()) {
                return ExecResult.timeout();
            }
            throw new OciException("failed to exec in container " + id + ": " + e.getMessage(), e);
        }
    }

    /** {@code <runtime> --root <root> exec --process <file> <id>} as {@link #exec}, its pipes handed to the caller. */
    @Override
    public Process startExec(String id, List<String> argv) {
        checkId(id);
        if (argv.isEmpty()) {
            throw new OciException("failed to exec in container " + id + ": empty command");
        }
        Path process = execProcessFile(id, argv, false, 0, 0);
        var builder = new ProcessBuilder(config.runtime().toString(), "--root", config.runtimeRoot().toString(),
                "exec", "--process", process.toString(), id);
        builder.environment().clear();
        builder.environment().putAll(ENV);
        try {
            return builder.start();
        } catch (IOException e) {
            throw new OciException("failed to exec in container " + id + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@code <runtime> … exec --tty --console-socket <sock> --process <file> <id>}: the process
     * file says {@code terminal: true}; the runtime sends the terminal's master over the socket.
     */
    @Override
    public ConsoleExec startExecTty(String id, List<String> argv, int width, int height) {
        checkId(id);
        if (argv.isEmpty()) {
            throw new OciException("failed to exec in container " + id + ": empty command");
        }
        Path process = execProcessFile(id, argv, true, width, height);
        // sun_path holds 108 bytes, too few for the container directory: a private (0700) temp directory.
        Path socketDir;
        try {
            socketDir = Files.createTempDirectory("peapod-console-", java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new OciException("failed to exec in container " + id + ": " + e, e);
        }
        Path socket = socketDir.resolve("console.sock");
        var builder = new ProcessBuilder(config.runtime().toString(), "--root", config.runtimeRoot().toString(),
                "exec", "--tty", "--console-socket", socket.toString(), "--process", process.toString(), id);
        builder.environment().clear();
        builder.environment().putAll(ENV);
        builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        ConsoleExec console;
        try {
            console = ConsoleExec.start(builder, socket);
        } finally {
            try {
                Files.deleteIfExists(socketDir);
            } catch (IOException ignored) {
                // ConsoleExec removed the socket; an empty temp directory at worst
            }
        }
        if (width > 0 && height > 0) console.resize(width, height);
        return console;
    }

    /** conmon's attach socket, in the bundle its {@code attach/<id>} symlink leads to. */
    @Override
    public ConmonAttach attach(String id) {
        return ConmonAttach.connect(config.socketDir().resolve(checkId(id)));
    }

    private Path execProcessFile(String id, List<String> argv, boolean terminal, int width, int height) {
        Path dir = config.containerDir(id);
        Path file = dir.resolve("exec-" + digest(argv) + (terminal ? "-tty" + width + "x" + height : "") + ".json");
        if (Files.exists(file)) {
            return file;
        }
        try {
            // conmon's attach directory entry links to the bundle (see the class comment).
            JsonNode spec = JSON.readTree(config.socketDir().resolve(id).resolve("config.json").toFile());
            if (!(spec.get("process") instanceof ObjectNode process)) {
                throw new OciException("failed to exec in container " + id + ": its config.json has no process");
            }
            ObjectNode exec = process.deepCopy();
            exec.put("terminal", terminal);
            exec.remove("consoleSize");
            if (terminal && width > 0 && height > 0) exec.putObject("consoleSize").put("height", height).put("width", width);
            exec.set("args", JSON.valueToTree(argv));
            Path tmp = Files.createTempFile(dir, "exec-", ".tmp");
            Files.write(tmp, JSON.writeValueAsBytes(exec));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new OciException("failed to exec in container " + id + ": failed to write process file: " + e, e);
        }
    }

    private static String digest(List<String> argv) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String arg : argv) {
                sha.update(arg.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Path exitDir() { return config.exitDir(); }

    @Override
    public String name() { return name; }

    /** Whether the runtime has state for {@code id}; crun and runc both keep {@code <root>/<id>/}. */
    private boolean known(String id) {
        return Files.isDirectory(config.runtimeRoot().resolve(id));
    }

    private ProcessResult runtime(String... args) {
        List<String> argv = new ArrayList<>(List.of(config.runtime().toString(), "--root", config.runtimeRoot().toString()));
        argv.addAll(List.of(args));
        return runner.run(argv, ENV, null, config.timeout());
    }

    private static String checkId(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new OciException("failed to use container id " + id + ": must match " + ID.pattern());
        }
        return id;
    }
}
