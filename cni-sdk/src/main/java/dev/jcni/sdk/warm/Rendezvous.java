package dev.jcni.sdk.warm;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Map;

/**
 * The daemon's end of the root-only rendezvous: {@code /run/jcni/<dist name>.sock} in a directory
 * owned by root with mode 0700, the socket itself mode 0600. The daemon makes the directory when it
 * is missing, tightens a root-owned one that others can read to 0700, and refuses one that is not
 * root's or that others can write. The socket appears atomically (bound under a temporary name,
 * then renamed), and one daemon per socket holds {@code <socket>.lock}. On close the socket is
 * removed if it is still this daemon's.
 */
final class Rendezvous implements AutoCloseable {
    /** Where the sockets live. */
    static final Path RUN_DIR = Path.of("/run/jcni");

    private final Path socket;
    private final ServerSocketChannel server;
    private final Object socketKey;
    private final FileChannel lockChannel;
    private final UserPrincipal root;

    private Rendezvous(Path socket, ServerSocketChannel server, Object socketKey, FileChannel lockChannel,
                       UserPrincipal root) {
        this.socket = socket;
        this.server = server;
        this.socketKey = socketKey;
        this.lockChannel = lockChannel;
        this.root = root;
    }

    /**
     * @param distName the dist name
     * @return {@code /run/jcni/<name>.sock}
     */
    static Path defaultSocket(String distName) {
        return RUN_DIR.resolve(distName + ".sock");
    }

    /**
     * Prepares the directory, takes the lock, binds the socket.
     *
     * @param socket the socket's path
     * @param backlog the listen backlog
     * @return the bound rendezvous
     * @throws IOException when the directory is unsafe, another daemon holds the socket, or binding fails
     */
    static Rendezvous open(Path socket, int backlog) throws IOException {
        socket = socket.toAbsolutePath();
        Path dir = socket.getParent();
        UserPrincipal root = prepareDirectory(dir);
        FileChannel lockChannel = FileChannel.open(dir.resolve(socket.getFileName() + ".lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        FileLock lock = lockChannel.tryLock();
        if (lock == null) {
            lockChannel.close();
            throw new IOException("another jcni daemon serves " + socket + " (it holds " + socket + ".lock)");
        }
        ServerSocketChannel server = null;
        try {
            removeStale(socket);
            Path tmp = dir.resolve("." + socket.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
            Files.deleteIfExists(tmp);
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(tmp), backlog);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            Files.move(tmp, socket, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Object key = Files.readAttributes(socket, "unix:ino,dev", LinkOption.NOFOLLOW_LINKS);
            return new Rendezvous(socket, server, key, lockChannel, root);
        } catch (IOException | RuntimeException e) {
            if (server != null) {
                server.close();
            }
            lockChannel.close();
            throw e;
        }
    }

    /**
     * Checks (and makes) the socket's directory: root's, nobody else's.
     *
     * @return root's user principal (the directory's owner)
     */
    private static UserPrincipal prepareDirectory(Path dir) throws IOException {
        try {
            Files.createDirectories(dir.getParent());
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            // checked below
        }
        Map<String, Object> a = Files.readAttributes(dir, "unix:uid,mode,isDirectory,isSymbolicLink", LinkOption.NOFOLLOW_LINKS);
        if (!(Boolean) a.get("isDirectory") || (Boolean) a.get("isSymbolicLink")) {
            throw new IOException(dir + " is not a directory");
        }
        if ((Integer) a.get("uid") != 0) {
            throw new IOException(dir + " is not owned by root (uid " + a.get("uid") + ")");
        }
        int mode = (Integer) a.get("mode") & 07777;
        if ((mode & 022) != 0) {
            throw new IOException(dir + " is writable by others (mode " + Integer.toOctalString(mode) + "); make it root's, mode 0700");
        }
        if ((mode & 077) != 0) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
        return Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS);
    }

    /** A socket left by a daemon that died: removed; a live one: refused; anything else: refused. */
    private static void removeStale(Path socket) throws IOException {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(socket, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        int type = (Integer) a.get("mode") & 0170000;
        if (type != 0140000) {
            throw new IOException(socket + " exists and is not a socket; not removing it");
        }
        boolean live;
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            live = probe.isConnected();
        } catch (IOException refused) {
            live = false;
        }
        if (live) {
            throw new IOException("a daemon is already listening on " + socket);
        }
        Files.deleteIfExists(socket);
    }

    /** @return the socket's path */
    Path socket() {
        return socket;
    }

    /** @return the listening channel */
    ServerSocketChannel server() {
        return server;
    }

    /** @return root's principal, to compare a peer's credentials with */
    UserPrincipal root() {
        return root;
    }

    /** Stops listening and removes the socket if it is still this daemon's (an upgrade may have replaced it). */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        try {
            Object key = Files.readAttributes(socket, "unix:ino,dev", LinkOption.NOFOLLOW_LINKS);
            if (key.equals(socketKey)) {
                Files.deleteIfExists(socket);
            }
        } catch (IOException e) {
            // already gone
        }
        try {
            lockChannel.close();
        } catch (IOException e) {
            // released on exit anyway
        }
    }
}
