package dev.jcni.sdk.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Facts about the machine for kernel tests, and a small exec helper for test-side observers. */
public final class Kernel {
    private Kernel() {
    }

    /** @return the effective uid of this process, read from /proc/self/status */
    public static int uid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.split("\\s+")[2]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** @return true when running as root */
    public static boolean isRoot() {
        return uid() == 0;
    }

    /** @return true when the environment says CI=true */
    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /**
     * Skips the current test when a kernel feature is missing, naming the feature. This is the
     * one kind of skip allowed in CI.
     *
     * @param feature the feature's name, e.g. "dummy link type"
     * @param present whether this kernel has it
     */
    public static void assumeFeature(String feature, boolean present) {
        Assumptions.assumeTrue(present, () -> "this kernel lacks " + feature + "; skipped (its netlink messages are tested byte for byte)");
    }

    /**
     * A unique name with a prefix, short enough for an interface name when {@code prefix} is at most 7 bytes.
     *
     * @param prefix the prefix
     * @return prefix + 8 hex digits
     */
    public static String uniqueName(String prefix) {
        return prefix + String.format("%08x", ThreadLocalRandom.current().nextInt());
    }

    /** The outcome of a command run by {@link #exec(String...)}. */
    public record ExecResult(int exitCode, String stdout, String stderr) {
        /** @return stdout, after asserting exit code 0 */
        public String ok() {
            if (exitCode != 0) {
                throw new AssertionError("exit " + exitCode + ": " + stderr + stdout);
            }
            return stdout;
        }
    }

    /**
     * Runs a command (an observer such as {@code ip -j}, {@code iptables -S} or {@code nft}) and
     * waits up to 60 s.
     *
     * @param command the command and its arguments
     * @return exit code and output
     */
    public static ExecResult exec(String... command) {
        return execWithInput(null, command);
    }

    /**
     * Runs a command with bytes on stdin.
     *
     * @param stdin bytes for stdin, or null
     * @param command the command and its arguments
     * @return exit code and output
     */
    public static ExecResult execWithInput(byte[] stdin, String... command) {
        try {
            Path out = Files.createTempFile("jcni-exec", ".out");
            Path err = Files.createTempFile("jcni-exec", ".err");
            try {
                ProcessBuilder pb = new ProcessBuilder(List.of(command))
                        .redirectOutput(out.toFile()).redirectError(err.toFile());
                Process p = pb.start();
                if (stdin != null) {
                    p.getOutputStream().write(stdin);
                }
                p.getOutputStream().close();
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError("timeout: " + String.join(" ", command));
                }
                return new ExecResult(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", command) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * Splits a shell-like command line on spaces (no quoting) and runs it.
     *
     * @param commandLine the command line
     * @return exit code and output
     */
    public static ExecResult sh(String commandLine) {
        List<String> parts = new ArrayList<>(List.of(commandLine.trim().split("\\s+")));
        return exec(parts.toArray(String[]::new));
    }
}
