package dev.peapod.cli;

import dev.peapod.node.ClaimVolumes;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code peapod volume}: the PersistentVolumeClaims' directories on this host
 * ({@code <data-dir>/volumes/pvc/<namespace>/<name>}, see {@link ClaimVolumes}), like
 * {@code podman volume ls/rm}. Alone it prints usage and exits 2.
 */
final class VolumeCommand implements Callable<Integer> {
    static final String DESCRIPTION = "Manage the directories of PersistentVolumeClaims.";

    final CommandSpec spec = Specs.command(this, "volume", DESCRIPTION);

    static CommandLine tree(CliContext context) {
        var volume = new CommandLine(new VolumeCommand().spec);
        volume.addSubcommand(new Ls().spec);
        volume.addSubcommand(new Rm().spec);
        return volume;
    }

    @Override
    public Integer call() {
        return GroupCommand.missingSubcommand(spec);
    }

    /** {@code peapod volume ls}: NAMESPACE, NAME, PODS (that use it), PATH. */
    static final class Ls implements Callable<Integer> {
        final CommandSpec spec = Specs.command(this, "ls", "List the claims' directories.").aliases("list");

        Ls() {
            spec.addOption(Specs.dataDir());
        }

        @Override
        public Integer call() throws IOException {
            var table = new Table("NAMESPACE", "NAME", "PODS", "PATH");
            for (var c : ClaimVolumes.claims(Specs.<Path>value(spec, Specs.DATA_DIR))) {
                table.row(c.namespace(), c.name(), String.valueOf(c.pods()), c.path().toString());
            }
            var out = spec.commandLine().getOut();
            out.print(table.render());
            out.flush();
            return Main.OK;
        }
    }

    /** {@code peapod volume rm NAME…}: removes claims and their data; refuses a claim a pod uses. */
    static final class Rm implements Callable<Integer> {
        final CommandSpec spec = Specs.command(this, "rm",
                "Remove claims and their data (not while a pod uses them).").aliases("remove");

        Rm() {
            spec.addOption(Specs.dataDir());
            spec.addOption(OptionSpec.builder("-n", "--namespace").type(String.class).paramLabel("NAMESPACE")
                    .defaultValue("default").description("The claims' namespace (default: ${DEFAULT-VALUE}).").build());
            spec.addPositional(Specs.atLeastOne(String.class, "NAME", "Claim names."));
        }

        @Override
        public Integer call() throws IOException {
            Path dataDir = Specs.value(spec, Specs.DATA_DIR);
            String namespace = Specs.value(spec, "--namespace");
            var out = spec.commandLine().getOut();
            var err = spec.commandLine().getErr();
            int code = Main.OK;
            for (String name : Specs.<String>positionals(spec)) {
                try {
                    ClaimVolumes.remove(dataDir, namespace, name);
                    out.println(name);
                } catch (NoSuchFileException | IllegalArgumentException e) {
                    err.println("Error: persistentvolumeclaim \"" + name + "\" not found in namespace \"" + namespace + "\"");
                    code = Main.FAILURE;
                } catch (IllegalStateException e) {
                    err.println("Error: " + e.getMessage());
                    code = Main.FAILURE;
                }
            }
            out.flush();
            err.flush();
            return code;
        }
    }
}
