package dev.peapod.image;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/build-test-image.sh builds the project's test image from the host's static busybox;
 * the store loads both of its formats. Needs /bin/busybox (Debian busybox-static): without it the
 * script fails and says so, and so does this test.
 */
class TestImageScriptTest {
    static final Path SCRIPT = Path.of(System.getProperty("user.dir")).resolve("../scripts/build-test-image.sh")
            .normalize();
    static final String PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    @TempDir
    Path tmp;
    LocalImageStore store;

    @BeforeEach
    void open() {
        assertThat(SCRIPT).as("the image script").isRegularFile();
        store = new LocalImageStore(tmp.resolve("store"));
    }

    Path build(String name, String... options) throws IOException, InterruptedException {
        Path out = tmp.resolve(name);
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString(), out.toString()));
        command.addAll(Arrays.asList(options));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("build-test-image.sh failed:%n%s", output).isZero();
        return out;
    }

    @Test
    void bothFormatsLoadAsTheSameImage() throws Exception {
        Image oci = store.load(build("oci.tar")).getFirst();
        Image docker = store.load(build("docker.tar", "--format", "docker")).getFirst();

        assertThat(docker.id()).as("same config, same id").isEqualTo(oci.id());
        assertThat(store.list()).hasSize(1);
        Image image = store.resolve("peapod/busybox").orElseThrow();
        assertThat(image.names()).containsExactly("docker.io/peapod/busybox:latest");
        assertThat(image.config()).isEqualTo(new ImageConfig(List.of(), List.of("sh"), List.of(PATH_ENV), null, null, null));
        assertThat(image.diffIds()).hasSize(1);
        assertRootfs(store.layerDirs(image).getFirst());
    }

    private static void assertRootfs(Path rootfs) throws IOException, InterruptedException {
        Path busybox = rootfs.resolve("bin/busybox");
        assertThat(Files.isRegularFile(busybox, NOFOLLOW_LINKS)).isTrue();
        assertThat(mode(busybox)).isEqualTo(0755);
        assertThat(Files.mismatch(busybox, Path.of("/bin/busybox"))).isEqualTo(-1);
        List<String> applets = applets();
        assertThat(applets).contains("sh", "ls", "wget", "httpd");
        for (String applet : applets) {
            assertThat(Files.readSymbolicLink(rootfs.resolve("bin").resolve(applet))).isEqualTo(Path.of("busybox"));
        }
        assertThat(Files.readAllLines(rootfs.resolve("etc/passwd")))
                .contains("root:x:0:0:root:/root:/bin/sh", "nobody:x:65534:65534:nobody:/nonexistent:/bin/false");
        assertThat(Files.readAllLines(rootfs.resolve("etc/group"))).contains("root:x:0:", "nobody:x:65534:");
        assertThat(mode(rootfs.resolve("tmp"))).isEqualTo(01777);
        assertThat(mode(rootfs.resolve("root"))).isEqualTo(0700);
        assertThat(rootfs.resolve("var/www")).isDirectory();
        assertThat(Files.getAttribute(rootfs.resolve("etc/passwd"), "unix:uid")).isEqualTo(0);
    }

    private static List<String> applets() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("/bin/busybox", "--list").start();
        List<String> names = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .filter(n -> !n.equals("busybox")).toList();
        assertThat(p.waitFor()).isZero();
        return names;
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", NOFOLLOW_LINKS) & 07777;
    }

    @Test
    void isDeterministic() throws Exception {
        assertThat(Files.mismatch(build("a.tar"), build("b.tar"))).isEqualTo(-1);
        assertThat(Files.mismatch(build("c.tar", "--format", "docker"), build("d.tar", "--format", "docker")))
                .isEqualTo(-1);
    }

    @Test
    void takesATagAndExtraEnvironment() throws Exception {
        Image image = store.load(build("t.tar", "--tag", "localhost:5000/web/busybox:v2", "--env", "GREETING=hi \"you\""))
                .getFirst();

        assertThat(image.names()).containsExactly("localhost:5000/web/busybox:v2");
        assertThat(image.config().env()).containsExactly(PATH_ENV, "GREETING=hi \"you\"");
        assertThat(store.resolve("peapod/busybox")).isEmpty();
    }
}
