package dev.peapod.node.spec;

import dev.peapod.image.ImageConfig;
import io.fabric8.kubernetes.api.model.Container;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The process argv from the container's command/args and the image's Entrypoint/Cmd
 * (https://kubernetes.io/docs/tasks/inject-data-application/define-command-argument-container/#notes):
 * <ul>
 *   <li>command set: it replaces the Entrypoint and the image's Cmd is ignored; args, if set, follow;</li>
 *   <li>only args set: Entrypoint + args;</li>
 *   <li>neither: Entrypoint + Cmd.</li>
 * </ul>
 * {@code $(VAR)} references in command and args are expanded with the container's variables
 * (kubelet {@code ExpandContainerCommandAndArgs}); the image's Entrypoint and Cmd are not.
 * An Entrypoint of exactly {@code [""]} means "no entrypoint" (containerd {@code WithProcessArgs}).
 * An empty result fails like containerd: "no command specified".
 */
final class ProcessArgs {
    private ProcessArgs() {}

    static List<String> of(Container c, ImageConfig image, Map<String, String> env) {
        List<String> command = expand(c.getCommand(), env);
        List<String> args = expand(c.getArgs(), env);
        var argv = new ArrayList<String>();
        if (!command.isEmpty()) {
            argv.addAll(command);
            argv.addAll(args);
        } else {
            List<String> entrypoint = image.entrypoint();
            if (!(entrypoint.size() == 1 && entrypoint.getFirst().isEmpty())) argv.addAll(entrypoint);
            argv.addAll(args.isEmpty() ? image.cmd() : args);
        }
        if (argv.isEmpty()) {
            throw new SpecException(SpecException.CREATE_CONTAINER_ERROR,
                    "failed to build the command of container \"" + c.getName() + "\": no command specified");
        }
        return argv;
    }

    private static List<String> expand(List<String> values, Map<String, String> env) {
        if (values == null) return List.of();
        return values.stream().map(v -> Expansion.expand(v, env)).toList();
    }
}
