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

    /** Where the Go reference plugins v1.1.1 are (Debian's containernetworking-plugins). */
    public static final java.nio.file.Path GO_PLUGINS = Path.of("/usr/lib/cni");

    /**
     * Skips the current test because the kernel lacks a feature, which the caller found out by the
     * kernel's specific answer: {@code EOPNOTSUPP} ("Operation not supported"). This is the one kind
     * of skip allowed in CI ({@link CiSkipPolicy}). Any other error is not a missing feature: the
     * test fails with it.
     *
     * @param feature the feature's name, e.g. "bridge vlan_filtering"
     * @param kernelError the error the kernel gave (errno name or text)
     */
    public static void skipMissingFeature(String feature, String kernelError) {
        if (!kernelError.contains("EOPNOTSUPP") && !kernelError.contains("Operation not supported")) {
            throw new AssertionError("probing " + feature + " failed with something else than EOPNOTSUPP: " + kernelError.trim());
        }
        throw new MissingKernelFeature("this kernel lacks " + feature + " (" + kernelError.trim()
                + "); skipped (its netlink messages are tested byte for byte)");
    }

    /**
     * Skips the current test (outside CI) when the Go reference plugins are not installed; under
     * {@code CI=true} the test fails instead ({@link CiSkipPolicy}): .ci/run installs them.
     */
    public static void assumeGoPlugins() {
        Assumptions.assumeTrue(Files.isRegularFile(GO_PLUGINS.resolve("bridge")) && Files.isRegularFile(GO_PLUGINS.resolve("host-local")),
                () -> "the Go reference plugins are not installed in " + GO_PLUGINS + " (apt-get install containernetworking-plugins)");
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
