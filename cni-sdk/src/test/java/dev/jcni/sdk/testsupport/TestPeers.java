package dev.jcni.sdk.testsupport;

import dev.jcni.sdk.internal.PeerProcesses;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The warm-mode daemon's {@link PeerProcesses} for cni-sdk's own tests, whose daemons run without
 * cni-sdk-netlink (built after cni-sdk): the same system calls, from the same C source
 * (cni-sdk-netlink's jcni-sys.c, compiled by {@link #library()} with this class's JNI names). The
 * daemon finds it through this module's test resources and loads the library that
 * {@value #LIBRARY_ENV} names.
 */
public final class TestPeers implements PeerProcesses {
    /** The environment variable that names the compiled library for the daemon. */
    public static final String LIBRARY_ENV = "JCNI_TEST_PEERS_LIBRARY";

    /** For the service loader. */
    public TestPeers() {
    }

    private static final class Loaded {
        static final Throwable FAILURE = load();

        private static Throwable load() {
            try {
                // a daemon is told where the library is; a test JVM compiles it
                String lib = System.getenv(LIBRARY_ENV);
                System.load(lib != null ? lib : library().toString());
                return null;
            } catch (LinkageError | RuntimeException | AssertionError e) {
                return e;
            }
        }
    }

    @Override
    public void load() throws IOException {
        if (Loaded.FAILURE != null) {
            throw new IOException("the test library does not load: " + Loaded.FAILURE);
        }
    }

    @Override
    public Peer of(SocketChannel channel) throws IOException {
        load();
        int[] cred = new int[3];
        int r = peerCredentials(channel, cred);
        if (r < 0) {
            throw new IOException("SO_PEERCRED: errno " + -r);
        }
        int pidfd = peerPidfd(channel);
        if (pidfd < 0) {
            pidfd = pidfdOpen(cred[0]);
        }
        if (pidfd < 0) {
            throw new IOException("no pidfd: errno " + -pidfd);
        }
        return new Peer(cred[0], cred[1], cred[2], pidfd, TestPeers::close);
    }

    /**
     * A peer made from a pid (pidfd_open), to test {@link Peer#isStillThere} in this JVM.
     *
     * @param pid a live process
     * @return it as a peer (uid and gid 0)
     * @throws IOException when there is no pidfd
     */
    public static Peer ofPid(int pid) throws IOException {
        if (Loaded.FAILURE != null) {
            throw new IOException("the test library does not load: " + Loaded.FAILURE);
        }
        int pidfd = pidfdOpen(pid);
        if (pidfd < 0) {
            throw new IOException("pidfd_open: errno " + -pidfd);
        }
        return new Peer(pid, 0, 0, pidfd, TestPeers::close);
    }

    private static native int peerCredentials(Object channel, int[] out);

    private static native int peerPidfd(Object channel);

    private static native int pidfdOpen(int pid);

    private static native int close(int fd);

    private static Path library;

    /**
     * Compiles jcni-sys.c (once per JVM) for this class.
     *
     * @return the library
     */
    public static synchronized Path library() {
        if (library == null) {
            Path source = Path.of("..", "cni-sdk-netlink", "src", "main", "c", "jcni-sys.c").toAbsolutePath().normalize();
            if (!Files.isRegularFile(source)) {
                throw new AssertionError("no " + source + " (tests run in a module directory of the jcni checkout)");
            }
            try {
                Path dir = Files.createTempDirectory("jcni-test-peers");
                Path lib = dir.resolve("libjcni-test-peers.so");
                String javaHome = System.getProperty("java.home");
                List<String> cmd = new ArrayList<>(List.of("gcc", "-O2", "-fPIC", "-shared", "-Wall", "-Wextra", "-Werror",
                        "-I" + javaHome + "/include", "-I" + javaHome + "/include/linux",
                        "-DJNI_FN(name)=Java_dev_jcni_sdk_testsupport_TestPeers_##name", "-o", lib.toString(), source.toString()));
                Kernel.ExecResult r = Kernel.exec(cmd.toArray(String[]::new));
                if (r.exitCode() != 0) {
                    throw new AssertionError("gcc failed: " + r.stderr() + r.stdout());
                }
                lib.toFile().deleteOnExit();
                dir.toFile().deleteOnExit();
                library = lib;
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
        return library;
    }
}
