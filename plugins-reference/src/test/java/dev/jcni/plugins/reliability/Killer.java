package dev.jcni.plugins.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Kills a plugin process with SIGKILL at a chosen point of its work: finds it among this JVM's
 * descendants (by its launcher or main class and the container id in its environment), then strobes
 * it: SIGSTOP, wait until every thread is stopped, read the state of its attachment (a probe given by
 * the test), and either SIGKILL it there, when the state is the chosen point, or SIGCONT it and look
 * again a millisecond later. The kill thus lands exactly where the state says, with the victim frozen
 * in between (nothing it does can run between the look and the kill).
 *
 * <p>Signals other than SIGKILL go through one long-lived {@code sh} (its builtin {@code kill}, a pipe
 * round trip instead of a process per signal).
 */
final class Killer implements AutoCloseable {
    private final Process sh;
    private final Writer toSh;
    private final BufferedReader fromSh;

    Killer() {
        try {
            sh = new ProcessBuilder("/bin/sh", "-c", "while read -r s p; do kill -s \"$s\" \"$p\" 2>/dev/null; echo $?; done")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        toSh = new OutputStreamWriter(sh.getOutputStream(), StandardCharsets.US_ASCII);
        fromSh = new BufferedReader(new InputStreamReader(sh.getInputStream(), StandardCharsets.US_ASCII));
    }

    /**
     * What happened to the victim.
     *
     * @param seen the victim was found
     * @param killed it got SIGKILL at the point (frozen there by SIGSTOP), and it is gone
     * @param where the state read while it was frozen at the kill, when it was killed
     * @param looks how many times it was frozen and looked at
     * @param <S> the state's type
     */
    record Outcome<S>(boolean seen, boolean killed, Optional<S> where, int looks) {
    }

    /**
     * Waits (at most {@code giveUpMillis}) for the victim to appear, then strobes it until the state
     * read by {@code probe} satisfies {@code point} (then SIGKILL) or it ends by itself; waits for the
     * processes it had started to end too (a killed plugin's {@code iptables} or {@code nft} child
     * finishes its own work; DEL must come after it).
     *
     * @param plugin the plugin's name (its launcher {@code bin/<plugin>})
     * @param mainClass its main class's simple name
     * @param containerId the {@code CNI_CONTAINERID} of the call
     * @param probe reads the state, the victim frozen
     * @param point where to kill it; {@code s -> false}: never (it runs to its end)
     * @param done true once the call that runs the victim is over
     * @param giveUpMillis how long to look for it
     * @param <S> the state's type
     * @return what happened
     */
    <S> Outcome<S> killAt(String plugin, String mainClass, String containerId, Function<ProcessHandle, S> probe,
            Predicate<S> point, BooleanSupplier done, long giveUpMillis) {
        long start = System.nanoTime();
        Optional<ProcessHandle> victim = Optional.empty();
        while (victim.isEmpty()) {
            if (done.getAsBoolean() || System.nanoTime() - start > TimeUnit.MILLISECONDS.toNanos(giveUpMillis)) {
                return new Outcome<>(false, false, Optional.empty(), 0);
            }
            victim = ProcessHandle.current().descendants().filter(p -> matches(p, plugin, mainClass, containerId)).findFirst();
            if (victim.isEmpty()) {
                sleep(1);
            }
        }
        ProcessHandle v = victim.get();
        int looks = 0;
        while (v.isAlive()) {
            if (!signal("STOP", v.pid())) {
                break; // gone
            }
            if (!stopped(v.pid())) {
                signal("CONT", v.pid());
                continue;
            }
            looks++;
            S state = probe.apply(v);
            if (point.test(state)) {
                List<ProcessHandle> children = v.descendants().toList();
                v.destroyForcibly();
                waitFor(v);
                for (ProcessHandle c : children) {
                    waitFor(c);
                }
                return new Outcome<>(true, true, Optional.of(state), looks);
            }
            signal("CONT", v.pid());
            sleep(1);
        }
        waitFor(v);
        return new Outcome<>(true, false, Optional.empty(), looks);
    }

    /** Sends a signal by name through the shell; false when the process is gone. */
    private boolean signal(String name, long pid) {
        try {
            toSh.write(name + " " + pid + "\n");
            toSh.flush();
            String answer = fromSh.readLine();
            if (answer == null) {
                throw new AssertionError("the signal shell ended");
            }
            return answer.equals("0");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits (at most 2 s) until every thread of a process is stopped (or the process is gone).
     *
     * @return true when stopped, false when it did not stop in time or is gone
     */
    private static boolean stopped(long pid) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < end) {
            Path tasks = Path.of("/proc", Long.toString(pid), "task");
            boolean all = true;
            try (Stream<Path> s = Files.list(tasks)) {
                for (Path t : (Iterable<Path>) s::iterator) {
                    String stat = read(t.resolve("stat"));
                    int paren = stat.lastIndexOf(')');
                    char state = paren > 0 && paren + 2 < stat.length() ? stat.charAt(paren + 2) : 'X';
                    if (state == 'Z' || state == 'X') {
                        return false;
                    }
                    all &= state == 'T' || state == 't';
                }
            } catch (IOException | UncheckedIOException e) {
                return false; // gone
            }
            if (all) {
                return true;
            }
            Thread.onSpinWait();
        }
        return false;
    }

    private static void waitFor(ProcessHandle p) {
        try {
            p.onExit().get(2, TimeUnit.MINUTES);
        } catch (Exception e) {
            throw new AssertionError("process " + p.pid() + " did not end", e);
        }
    }

    private static boolean matches(ProcessHandle p, String plugin, String mainClass, String containerId) {
        String cmdline = read(Path.of("/proc", Long.toString(p.pid()), "cmdline"));
        if (!cmdline.contains("/" + plugin + "\0") && !cmdline.contains("." + mainClass + "\0")) {
            return false;
        }
        String environ = read(Path.of("/proc", Long.toString(p.pid()), "environ"));
        return environ.contains("\0CNI_CONTAINERID=" + containerId + "\0") || environ.startsWith("CNI_CONTAINERID=" + containerId + "\0");
    }

    /** @return the command line of a process, its words joined by spaces ("" when it is gone) */
    static String cmdline(ProcessHandle p) {
        return read(Path.of("/proc", Long.toString(p.pid()), "cmdline")).replace('\0', ' ').trim();
    }

    private static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
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

    @Override
    public void close() {
        sh.destroy();
        try {
            sh.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
