package dev.peapod.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class MountInfoTest {
    @Test
    void parsesALineWithOptionalFields() {
        MountInfo m = MountInfo.parseLine(
                "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 shared:7 - ext3 /dev/root rw,errors=continue");
        assertThat(m).isEqualTo(new MountInfo(36, 35, "/mnt1", "/mnt2", "rw,noatime", "ext3", "/dev/root",
                "rw,errors=continue"));
    }

    @Test
    void parsesCgroupSuperOptions() {
        MountInfo m = MountInfo.parseLine("32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu,cpuacct");
        assertThat(m.fsType()).isEqualTo("cgroup");
        assertThat(m.superOptionList()).containsExactly("rw", "cpu", "cpuacct");
    }

    @Test
    void undoesOctalEscapes() {
        MountInfo m = MountInfo.parseLine(
                "40 31 0:50 / /tmp/a\\040b\\011c\\012d\\134e rw - tmpfs tmp\\040fs rw");
        assertThat(m.mountPoint()).isEqualTo("/tmp/a b\tc\nd\\e");
        assertThat(m.source()).isEqualTo("tmp fs");
    }

    /** Seeded: escaping any path the way the kernel does (show_path/mangle) and parsing it back is the identity. */
    @Test
    void escapeRoundTrip() {
        Random random = new Random(42);
        String alphabet = "ab/ \t\n\\é-_.";
        for (int i = 0; i < 500; i++) {
            StringBuilder path = new StringBuilder("/");
            for (int n = random.nextInt(20); n > 0; n--) {
                path.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String escaped = path.toString().replace("\\", "\\134").replace(" ", "\\040")
                    .replace("\t", "\\011").replace("\n", "\\012");
            assertThat(MountInfo.unescape(escaped)).isEqualTo(path.toString());
        }
    }

    @Test
    void rejectsGarbage() {
        assertThatThrownBy(() -> MountInfo.parseLine("1 2 3")).isInstanceOf(OciException.class);
    }
}
