package dev.jcni.plugins.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.Dist;
import dev.jcni.sdk.types.NetConfList;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The Kubernetes manifest shipped in the distribution ({@code kubernetes/jcni-daemonset.yaml}):
 * it parses, its DaemonSet has what a node installer needs, and its install step, run as a plain
 * script against temporary directories, installs exactly what {@code install.sh} installs.
 */
class DaemonSetIT {
    static Path manifest() {
        return Dist.bin().getParent().resolve("kubernetes/jcni-daemonset.yaml");
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> documents() throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object o : new Yaml(new LoaderOptions()).loadAll(Files.readString(manifest()))) {
            if (o != null) {
                docs.add((Map<String, Object>) o);
            }
        }
        return docs;
    }

    static Map<String, Object> kind(List<Map<String, Object>> docs, String kind) {
        return docs.stream().filter(d -> kind.equals(d.get("kind"))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " in " + manifest()));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o, String key) {
        return (Map<String, Object>) ((Map<String, Object>) o).get(key);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Object o, String key) {
        return (List<Map<String, Object>>) ((Map<String, Object>) o).get(key);
    }

    static Map<String, Object> pod() throws IOException {
        return map(map(kind(documents(), "DaemonSet").get("spec"), "template"), "spec");
    }

    static Map<String, Object> install() throws IOException {
        return list(pod(), "initContainers").stream().filter(c -> "install".equals(c.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no init container \"install\""));
    }

    @Test
    void theManifestParsesAndRunsOnEveryNodeWithTheHostPaths() throws IOException {
        Map<String, Object> ds = kind(documents(), "DaemonSet");
        assertEquals("apps/v1", ds.get("apiVersion"));
        Map<String, Object> pod = pod();
        for (String host : List.of("hostNetwork", "hostPID", "hostIPC")) {
            // the warm-mode daemon serves callers in all of its namespaces (docs/kubernetes.md)
            assertEquals(Boolean.TRUE, pod.get(host), host);
        }
        assertTrue(list(pod, "tolerations").stream().anyMatch(t -> "Exists".equals(t.get("operator")) && !t.containsKey("key")),
                "tolerates every taint: " + pod.get("tolerations"));
        Map<String, String> hostPaths = new TreeMap<>();
        for (Map<String, Object> v : list(pod, "volumes")) {
            if (v.containsKey("hostPath")) {
                hostPaths.put((String) v.get("name"), (String) map(v, "hostPath").get("path"));
            }
        }
        assertEquals(Map.of("cni-bin", "/opt/cni/bin", "cni-net", "/etc/cni/net.d"), hostPaths);
        // the optional network: a valid configuration list
        @SuppressWarnings("unchecked")
        Map<String, String> data = (Map<String, String>) kind(documents(), "ConfigMap").get("data");
        for (String conflist : data.values()) {
            NetConfList l = NetConfList.fromJson(conflist.getBytes(StandardCharsets.UTF_8));
            assertTrue(!l.plugins().isEmpty(), conflist);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theInstallStepInstallsExactlyWhatInstallShInstalls(@TempDir Path tmp) throws Exception {
        Map<String, Object> c = install();
        assertEquals(List.of("/bin/sh", "-c"), c.get("command"));
        String script = ((List<String>) c.get("args")).get(0);
        Map<String, String> env = new LinkedHashMap<>();
        for (Map<String, Object> e : list(c, "env")) {
            env.put((String) e.get("name"), (String) e.get("value"));
        }
        // JCNI_DIST (and JCNI_IMAGE_JAVA, the image's runtime) come from the image's configuration (NodeImage)
        assertEquals(List.of("CNI_BIN_DIR", "CNI_NET_DIR", "CNI_CONF_SRC"), List.copyOf(env.keySet()));
        Path viaManifest = Files.createDirectories(tmp.resolve("manifest/bin"));
        Path netDir = Files.createDirectories(tmp.resolve("manifest/net.d"));
        Path confSrc = Files.createDirectories(tmp.resolve("configmap"));
        Map<String, String> data = (Map<String, String>) kind(documents(), "ConfigMap").get("data");
        for (Map.Entry<String, String> d : data.entrySet()) {
            Files.writeString(confSrc.resolve(d.getKey()), d.getValue());
        }
        env.put("JCNI_DIST", Dist.bin().getParent().toString());
        env.put("CNI_BIN_DIR", viaManifest.toString());
        env.put("CNI_NET_DIR", netDir.toString());
        env.put("CNI_CONF_SRC", confSrc.toString());
        run(List.of("/bin/sh", "-c", script), env);

        Path direct = Files.createDirectories(tmp.resolve("direct/bin"));
        run(List.of(Dist.bin().getParent().resolve("install.sh").toString(), direct.toString()), Map.of());

        assertEquals(tree(direct), tree(viaManifest), "the manifest's install step and install.sh must install the same");
        // again (a restart, a roll to the same image): the installed version is left as it is
        Path marker = viaManifest.resolve("jcni-lib").resolve(Files.readAllLines(Dist.bin().getParent().resolve("lib/jcni-dist.properties"))
                .stream().filter(l -> l.startsWith("name=")).findFirst().orElseThrow().substring(5)).resolve("current").resolve("marker");
        Files.writeString(marker, "kept");
        assertTrue(run(List.of("/bin/sh", "-c", script), env).contains("is installed already"));
        assertEquals("kept", Files.readString(marker), "the second run did not reinstall");
        Files.delete(marker);
        for (Path f : list(Dist.bin())) {
            assertTrue(Files.isRegularFile(viaManifest.resolve(f.getFileName())), "bin/" + f.getFileName() + " installed");
        }
        for (Map.Entry<String, String> d : data.entrySet()) {
            assertEquals(d.getValue(), Files.readString(netDir.resolve(d.getKey())));
        }
        try (Stream<Path> s = Files.list(netDir)) {
            assertEquals(data.size(), s.count(), "only the ConfigMap's files, no temporary file left");
        }
    }

    private static String run(List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command) + ":\n" + out);
        return out;
    }

    /** Relative path -> content (the start-up archive, made anew by each install, by presence only). */
    private static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                String rel = root.relativize(p).toString();
                boolean archive = rel.endsWith(".jsa") || rel.endsWith(".aot");
                m.put(rel, archive ? "(archive)" : Integer.toHexString(java.util.Arrays.hashCode(Files.readAllBytes(p)))
                        + (Files.isExecutable(p) ? " x" : ""));
            }
        }
        return m;
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }
}
