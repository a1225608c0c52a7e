package dev.peapod.e2e;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.peapod.e2e.KubectlVerbsE2eTest.file;
import static dev.peapod.e2e.KubectlVerbsE2eTest.ok;
import static dev.peapod.e2e.KubectlVerbsE2eTest.record;
import static dev.peapod.e2e.ServeE2eTest.kubectl;
import static dev.peapod.e2e.ServeE2eTest.log;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * PersistentVolumeClaims in {@code peapod serve} with real pods: kubectl creates a claim (bound at once), a pod
 * writes into it, is deleted, and a second pod reads what the first wrote; deleting the claim while that pod
 * exists leaves it Terminating, and deleting the pod then releases it and removes its directory. The leak
 * check runs when serve stops.
 */
class ServeClaimE2eTest extends SharedServe {
    static final String POD = """
            apiVersion: v1
            kind: Pod
            metadata: {name: %s}
            spec:
              restartPolicy: Never
              containers:
              - name: app
                image: peapod/busybox:latest
                imagePullPolicy: Never
                command: ["sh", "-c", "%s"]
                volumeMounts: [{name: data, mountPath: /data}]
              volumes: [{name: data, persistentVolumeClaim: {claimName: shared}}]
            """;

    static void runToCompletion(String name, String script) throws Exception {
        ok(kubectl("create", "-f", file(name + ".yaml", POD.formatted(name, script)).toString()));
        ok(kubectl("wait", "--for=jsonpath={.status.phase}=Succeeded", "pod/" + name, "--timeout=90s"));
        record(name);
    }

    @Test
    void aSecondPodReadsWhatTheFirstWroteIntoTheClaim() throws Exception {
        Path claimDir = Path.of(ServeE2eTest.DATA, "volumes/pvc/default/shared");
        if (Files.exists(claimDir)) dev.peapod.node.ClaimVolumes.remove(Path.of(ServeE2eTest.DATA), "default", "shared"); // an earlier run's
        ok(kubectl("create", "-f", file("shared.yaml", """
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata: {name: shared}
                spec:
                  accessModes: [ReadWriteOnce]
                  resources: {requests: {storage: 100Mi}}
                """).toString()));
        assertThat(kubectl("get", "pvc", "shared", "--no-headers").out()).matches("shared\\s+Bound\\s+pvc-[0-9a-f-]{36}\\s+100Mi\\s+RWO\\s+<unset>\\s+\\d+s\n");

        runToCompletion("writer", "echo kept > /data/msg");
        ok(kubectl("delete", "pod", "writer", "--timeout=60s"));
        assertThat(claimDir.resolve("msg")).as("the claim outlives the pod").hasContent("kept");

        runToCompletion("reader", "cat /data/msg");
        var logs = kubectl("logs", "reader");
        assertThat(logs.out()).as(logs.err() + log()).isEqualTo("kept\n");

        // kubernetes.io/pvc-protection: the reader pod still exists, so the deleted claim waits, Terminating.
        ok(kubectl("delete", "pvc", "shared", "--wait=false"));
        assertThat(kubectl("get", "pvc", "shared", "--no-headers").out()).startsWith("shared").contains("Terminating");
        assertThat(claimDir.resolve("msg")).hasContent("kept");
        ok(kubectl("delete", "pod", "reader", "--timeout=60s"));
        // Released once no pod uses it: the claim goes, and its directory (reclaim policy Delete).
        ok(kubectl("wait", "--for=delete", "pvc/shared", "--timeout=60s"));
        assertThat(claimDir).doesNotExist();
    }
}
