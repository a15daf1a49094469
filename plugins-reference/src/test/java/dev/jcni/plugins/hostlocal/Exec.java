package dev.jcni.plugins.hostlocal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.Result;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs host-local as a real process: jcni's ({@code java ... HostLocal}) or Go's (/usr/lib/cni/host-local). */
final class Exec {
    private Exec() {
    }

    static final Path GO_HOST_LOCAL = Path.of("/usr/lib/cni/host-local");

    /** What a run printed. */
    record Run(int exit, String stdout, String stderr) {
        Result result() {
            if (exit != 0) {
                throw new AssertionError("plugin failed (exit " + exit + "): " + stdout + stderr);
            }
            return Result.fromJson(stdout.getBytes(StandardCharsets.UTF_8));
        }

        CniException error() {
            if (exit == 0) {
                throw new AssertionError("plugin succeeded: " + stdout);
            }
            return CniException.fromJson(stdout.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The {@code CNI_*} environment of one call. */
    static Map<String, String> env(String command, String containerId, String ifname) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", containerId);
        env.put("CNI_NETNS", "/var/run/netns/jcni-host-local-test-absent");
        env.put("CNI_IFNAME", ifname);
        env.put("CNI_PATH", "/usr/lib/cni"); // Go's skel requires it for every verb
        return env;
    }

    static List<String> jcniCommand() {
        String java = ProcessHandle.current().info().command().orElse("java");
        // the JVM's own warnings go to stdout by default; the launchers send them to stderr, so must this
        // (under load, 50 JVMs at once: "[0.5s][warning]..." on stdout broke the result JSON)
        return List.of(java, "-Xlog:disable", "-Xlog:all=warning:stderr", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), HostLocal.class.getName());
    }

    static Process start(List<String> command, Map<String, String> env, String stdin) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("CNI_") || k.startsWith("JCNI_"));
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Run finish(Process p) {
        try {
            // stderr is small; read stdout fully first, then stderr
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            assertTrue(p.waitFor(10, TimeUnit.MINUTES), "plugin process did not end");
            return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static Run jcni(Map<String, String> env, String stdin) {
        return finish(start(jcniCommand(), env, stdin));
    }

    static Run go(Map<String, String> env, String stdin) {
        return finish(start(List.of(GO_HOST_LOCAL.toString()), env, stdin));
    }

    /** Starts every call at once, then waits for all. */
    static List<Run> parallel(List<List<String>> commands, List<Map<String, String>> envs, String stdin) {
        List<Process> started = new ArrayList<>();
        for (int i = 0; i < commands.size(); i++) {
            started.add(start(commands.get(i), envs.get(i), stdin));
        }
        List<Run> out = new ArrayList<>();
        for (Process p : started) {
            out.add(finish(p));
        }
        return out;
    }

    /** @return the store's file names, sorted */
    static List<String> storeFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return every file under a directory, relative, sorted (empty when it does not exist) */
    static List<String> allFiles(Path root) {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (var s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
