package dev.jcni.plugins.cri;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/**
 * The DaemonSet's pod of {@code src/dist/kubernetes/jcni-daemonset.yaml} run through the CRI as
 * kubelet runs it: the pod sandbox with the node's namespaces the manifest asks for, its init
 * container to its end (exit 0), then its main container, each with the manifest's image, command,
 * arguments, environment, volume mounts and privileges. The ConfigMap volume holds the manifest's
 * ConfigMap data, written into a directory as kubelet would. What a test changes is named: host
 * paths it relocates (the manifest says to change a path, its mount path and the variable naming it
 * alike), and variables it adds or overrides.
 */
final class DaemonSetPod {
    private final Map<String, Object> podSpec;
    private final Map<String, String> configMapData;

    private DaemonSetPod(Map<String, Object> podSpec, Map<String, String> configMapData) {
        this.podSpec = podSpec;
        this.configMapData = configMapData;
    }

    /** A started pod: its sandbox, its main container and that container's log. */
    record Running(CriClient.PodConfig config, String sandbox, String container, Path log) {
        /** @return what the main container wrote so far */
        String logText() {
            try {
                return Files.exists(log) ? Files.readString(log) : "";
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    /**
     * Reads the manifest: its DaemonSet's pod template and its ConfigMap.
     *
     * @param manifest the YAML file
     * @return the pod
     */
    @SuppressWarnings("unchecked")
    static DaemonSetPod read(Path manifest) throws IOException {
        Map<String, Object> spec = null;
        Map<String, String> data = Map.of();
        for (Object doc : new Yaml().loadAll(Files.readString(manifest))) {
            Map<String, Object> m = (Map<String, Object>) doc;
            if (m == null) {
                continue;
            }
            if ("DaemonSet".equals(m.get("kind"))) {
                Map<String, Object> s = (Map<String, Object>) m.get("spec");
                spec = (Map<String, Object>) ((Map<String, Object>) s.get("template")).get("spec");
            } else if ("ConfigMap".equals(m.get("kind"))) {
                data = (Map<String, String>) m.get("data");
            }
        }
        assertTrue(spec != null, manifest + " has no DaemonSet");
        return new DaemonSetPod(spec, data);
    }

    /** @return the image of the main container */
    String image() {
        return (String) containers("containers").get(0).get("image");
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> containers(String key) {
        return (List<Map<String, Object>>) podSpec.getOrDefault(key, List.of());
    }

    /**
     * Runs the pod: sandbox, init container to its end, main container started.
     *
     * @param node the runtime
     * @param name the pod's name
     * @param paths host paths the test relocates (manifest path to the test's): applied to the volumes'
     *     host paths, the mount paths and the variables whose value is such a path
     * @param env variables added to (or replacing) the manifest's, in every container
     * @param scratch an empty directory for the ConfigMap's files
     * @return the running pod
     */
    @SuppressWarnings("unchecked")
    Running start(Containerd node, String name, Map<String, String> paths, Map<String, String> env, Path scratch)
            throws IOException, InterruptedException {
        for (String host : List.of("hostNetwork", "hostPID", "hostIPC")) {
            assertEquals(Boolean.TRUE, podSpec.get(host), "the DaemonSet's pod has " + host + ": true");
        }
        Map<String, String> volumes = new LinkedHashMap<>();
        for (Map<String, Object> v : (List<Map<String, Object>>) podSpec.get("volumes")) {
            String vname = (String) v.get("name");
            if (v.containsKey("hostPath")) {
                String p = (String) ((Map<String, Object>) v.get("hostPath")).get("path");
                Path host = Path.of(paths.getOrDefault(p, p));
                assertTrue(paths.containsKey(p), "the test must relocate host path " + p + " (it never writes the machine's)");
                Files.createDirectories(host);
                volumes.put(vname, host.toString());
            } else if (v.containsKey("configMap")) {
                Path dir = Files.createDirectories(scratch.resolve(vname));
                for (Map.Entry<String, String> f : configMapData.entrySet()) {
                    Files.writeString(dir.resolve(f.getKey()), f.getValue());
                }
                volumes.put(vname, dir.toString());
            } else {
                throw new AssertionError("a volume the test does not know: " + v);
            }
        }
        CriClient.PodConfig base = node.pod(name, "kube-system", List.of());
        CriClient.PodConfig config = new CriClient.PodConfig(base.name(), base.uid(), base.namespace(), base.logDirectory(),
                List.of(), base.cgroupParent(), true);
        String sandbox = node.cri.runPodSandbox(config, "");
        for (Map<String, Object> init : containers("initContainers")) {
            String id = create(node, sandbox, config, init, volumes, paths, env);
            node.cri.startContainer(id);
            CriClient.ContainerState s = awaitExit(node, id, 600);
            Path log = config.logDirectory().resolve(init.get("name") + ".log");
            assertEquals(0, s.exitCode(), "init container " + init.get("name") + " exited " + s.exitCode() + ":\n"
                    + (Files.exists(log) ? Files.readString(log) : "(no log)"));
        }
        Map<String, Object> main = containers("containers").get(0);
        String id = create(node, sandbox, config, main, volumes, paths, env);
        node.cri.startContainer(id);
        return new Running(config, sandbox, id, config.logDirectory().resolve(main.get("name") + ".log"));
    }

    @SuppressWarnings("unchecked")
    private String create(Containerd node, String sandbox, CriClient.PodConfig pod, Map<String, Object> c, Map<String, String> volumes,
                          Map<String, String> paths, Map<String, String> extraEnv) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Map<String, Object> e : (List<Map<String, Object>>) c.getOrDefault("env", List.of())) {
            String v = String.valueOf(e.get("value"));
            env.put((String) e.get("name"), paths.getOrDefault(v, v));
        }
        env.putAll(extraEnv);
        List<CriClient.Mount> mounts = new ArrayList<>();
        for (Map<String, Object> m : (List<Map<String, Object>>) c.getOrDefault("volumeMounts", List.of())) {
            String at = (String) m.get("mountPath");
            String host = volumes.get((String) m.get("name"));
            assertTrue(host != null, "no volume " + m.get("name"));
            mounts.add(new CriClient.Mount(paths.getOrDefault(at, at), host, Boolean.TRUE.equals(m.get("readOnly"))));
        }
        Map<String, Object> security = (Map<String, Object>) c.getOrDefault("securityContext", Map.of());
        assertEquals(Boolean.TRUE, security.get("privileged"), c.get("name") + " is privileged");
        return node.cri.createContainer(sandbox, new CriClient.ContainerConfig((String) c.get("name"), (String) c.get("image"),
                (List<String>) c.get("command"), (List<String>) c.getOrDefault("args", List.of()), env, mounts, true), pod);
    }

    private static CriClient.ContainerState awaitExit(Containerd node, String id, int seconds) throws InterruptedException {
        CriClient.ContainerState s = node.cri.containerStatus(id);
        for (int i = 0; i < seconds * 5 && s.state() != CriClient.ContainerState.EXITED; i++) {
            Thread.sleep(200);
            s = node.cri.containerStatus(id);
        }
        assertEquals(CriClient.ContainerState.EXITED, s.state(), "container " + id + " did not end in " + seconds + " s");
        return s;
    }

    /**
     * Stops the pod as kubelet does: its main container with the grace period, then the sandbox, then removes it.
     *
     * @param node the runtime
     * @param pod the pod
     */
    void stop(Containerd node, Running pod) {
        Object grace = podSpec.getOrDefault("terminationGracePeriodSeconds", 30);
        node.cri.stopContainer(pod.container(), ((Number) grace).intValue());
        node.cri.stopPodSandbox(pod.sandbox());
        node.cri.removePodSandbox(pod.sandbox());
    }
}
