package dev.peapod.cli;

import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class BuildInfoTest {

    private static Properties props(String version, String commit) {
        var p = new Properties();
        p.setProperty("version", version);
        p.setProperty("commit", commit);
        return p;
    }

    @Test
    void showsTheCommitWhenTheBuildKnewIt() {
        assertThat(BuildInfo.lines(props("0.1.0-SNAPSHOT", "53a4505d12ab"), "25.0.3+9-LTS", "Eclipse Adoptium"))
                .containsExactly("peapod 0.1.0 (commit 53a4505d12ab)", "java 25.0.3+9-LTS (Eclipse Adoptium)");
    }

    @Test
    void omitsACommitThatGitCouldNotTell() {
        // outside a clone Ant leaves the property unexpanded or empty
        assertThat(BuildInfo.lines(props("0.1.0", "${peapod.commit}"), "25", "v")[0]).isEqualTo("peapod 0.1.0");
        assertThat(BuildInfo.lines(props("0.1.0", ""), "25", "v")[0]).isEqualTo("peapod 0.1.0");
        assertThat(BuildInfo.lines(new Properties(), "25", "v")[0]).isEqualTo("peapod unknown");
    }
}
