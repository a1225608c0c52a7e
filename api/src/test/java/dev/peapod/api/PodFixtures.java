package dev.peapod.api;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;

/** The one valid base pod that table tests mutate. */
final class PodFixtures {
    static final String BASE_POD = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
              labels: {app: web, tier: frontend}
              annotations: {example.com/owner: team-a}
            spec:
              initContainers:
              - name: init
                image: busybox:1.36
                command: [sh, -c, echo init]
              - name: proxy
                image: envoyproxy/envoy:v1.30
                restartPolicy: Always
                readinessProbe:
                  tcpSocket: {port: 9901}
              containers:
              - name: app
                image: nginx:1.25
                ports:
                - {name: http, containerPort: 80}
                env:
                - {name: MODE, value: prod}
                - name: POD_NAME
                  valueFrom:
                    fieldRef: {fieldPath: metadata.name}
                resources:
                  limits: {cpu: 500m, memory: 128Mi}
                volumeMounts:
                - {name: data, mountPath: /data}
                - {name: config, mountPath: /etc/app, readOnly: true}
                livenessProbe:
                  httpGet: {path: /healthz, port: http}
              - name: sidecar
                image: busybox
                command: [sleep, infinity]
                volumeMounts:
                - {name: data, mountPath: /data, subPath: logs}
              volumes:
              - name: data
                emptyDir: {}
              - name: config
                configMap: {name: app-config}
              - name: host
                hostPath: {path: /var/log, type: Directory}
            """;

    private PodFixtures() { }

    static Pod basePod() {
        return (Pod) Manifests.parse(BASE_POD, "base.yaml").getFirst();
    }

    static Container container(Pod pod, int i) {
        return pod.getSpec().getContainers().get(i);
    }

    static Container init(Pod pod, int i) {
        return pod.getSpec().getInitContainers().get(i);
    }
}
