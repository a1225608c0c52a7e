package dev.peapod.oci;

/**
 * One cgroup interface file to write and its value, e.g. {@code (cpu, cpu.max, "50000 100000")}.
 *
 * @param controller the controller owning the file ({@code cpu}, {@code memory}, {@code pids}): on
 *                   cgroup v1 it names the hierarchy the file lives in; on v2 (one tree) it only
 *                   says which controller must be enabled
 * @param name       the file name in the cgroup directory
 * @param value      what is written, without newline
 */
public record CgroupFile(String controller, String name, String value) {
    public CgroupFile {
        if (name.contains("/") || controller.contains("/")) {
            throw new IllegalArgumentException("cgroup file names have no '/': " + controller + " " + name);
        }
    }
}
