package dev.jcni.plugins.reliability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Finds a plugin process among this JVM's descendants, by the launcher or main class in its command
 * line and the container id in its environment, and kills it with SIGKILL after a delay.
 */
final class Killer {
    private Killer() {
    }

    /**
     * What happened to the victim.
     *
     * @param seen the victim was found
     * @param killed it was still running when the delay was over, and got SIGKILL
     * @param lifeMillis from when it was found to its end (kill or exit)
     */
    record Outcome(boolean seen, boolean killed, long lifeMillis) {
    }

    /**
     * Waits (at most {@code giveUpMillis}) for the victim to appear, then kills it {@code delayMillis}
     * later unless it ended; waits for the processes it had started to end too (a killed plugin's
     * {@code iptables} or {@code nft} child finishes its own work; DEL must come after it).
     *
     * @param plugin the plugin's name (its launcher {@code bin/<plugin>}) and main class's simple name
     * @param containerId the {@code CNI_CONTAINERID} of the call
     * @param delayMillis how long after it appeared it is killed; negative: never (measure its life)
     * @param done true once the call that runs the victim is over
     * @param giveUpMillis how long to look for it
     * @return what happened
     */
    static Outcome kill(String plugin, String mainClass, String containerId, long delayMillis, java.util.function.BooleanSupplier done,
            long giveUpMillis) {
        long start = System.nanoTime();
        Optional<ProcessHandle> victim = Optional.empty();
        while (victim.isEmpty()) {
            if (done.getAsBoolean() || System.nanoTime() - start > TimeUnit.MILLISECONDS.toNanos(giveUpMillis)) {
                return new Outcome(false, false, 0);
            }
            victim = ProcessHandle.current().descendants().filter(p -> matches(p, plugin, mainClass, containerId)).findFirst();
            if (victim.isEmpty()) {
                sleep(3);
            }
        }
        long seen = System.nanoTime();
        ProcessHandle v = victim.get();
        if (delayMillis >= 0) {
            long until = seen + TimeUnit.MILLISECONDS.toNanos(delayMillis);
            while (v.isAlive() && System.nanoTime() < until) {
                sleep(1);
            }
        }
        boolean killed = false;
        if (delayMillis >= 0 && v.isAlive()) {
            List<ProcessHandle> children = v.descendants().toList();
            killed = v.destroyForcibly();
            waitFor(v);
            for (ProcessHandle c : children) {
                waitFor(c);
            }
        } else {
            waitFor(v);
        }
        return new Outcome(true, killed, (System.nanoTime() - seen) / 1_000_000);
    }

    private static void waitFor(ProcessHandle p) {
        try {
            p.onExit().get(2, TimeUnit.MINUTES);
        } catch (Exception e) {
            throw new AssertionError("process " + p.pid() + " did not end", e);
        }
    }

    private static boolean matches(ProcessHandle p, String plugin, String mainClass, String containerId) {
        String cmdline = read(p.pid(), "cmdline");
        if (!cmdline.contains("/" + plugin + "\0") && !cmdline.contains("." + mainClass + "\0")) {
            return false;
        }
        return read(p.pid(), "environ").contains("\0CNI_CONTAINERID=" + containerId + "\0")
                || read(p.pid(), "environ").startsWith("CNI_CONTAINERID=" + containerId + "\0");
    }

    private static String read(long pid, String what) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), what)), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
