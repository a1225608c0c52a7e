package dev.peapod.node;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HostDevicesTest {
    @Test
    void majorAndMinorAsGlibcSplitsThem() {
        // makedev(254, 0), makedev(10, 237), and one with a large minor: makedev(259, 65536).
        assertThat(HostDevices.major(0xfe00L)).isEqualTo(254);
        assertThat(HostDevices.minor(0xfe00L)).isEqualTo(0);
        assertThat(HostDevices.major(0x0aedL)).isEqualTo(10);
        assertThat(HostDevices.minor(0x0aedL)).isEqualTo(237);
        long dev = ((259L & 0xfff) << 8) | (65536L & 0xff) | ((65536L & ~0xffL) << 12);
        assertThat(HostDevices.major(dev)).isEqualTo(259);
        assertThat(HostDevices.minor(dev)).isEqualTo(65536);
    }
}
