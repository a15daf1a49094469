package dev.jcni.plugins.hostlocal;

import dev.jcni.plugins.PluginLock;
import dev.jcni.sdk.internal.Phases;
import dev.jcni.sdk.types.Ip;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The reservation store, in the Go plugin's format: a directory {@code <dataDir>/<network>} (mode
 * 0755) holding one file per reserved address, named by the address's text and containing
 * {@code <containerID>\r\n<ifname>} (mode 0600), one {@code last_reserved_ip.<N>} per range set and an
 * empty {@code lock} file (mode 0750).
 *
 * <p>Unlike Go, a reservation never appears empty or half-written: its content is written to a
 * temporary file (a name starting with {@value #TEMP_PREFIX}, in the same directory) and synced
 * (before the store's lock is taken, so that calls do not wait for each other's syncs), then
 * hard-linked to the address's name; {@code link(2)} fails when the name exists, which makes the
 * reservation exclusive against Go's {@code O_CREAT|O_EXCL} as well. The new name itself is not
 * synced: after a power loss a reservation may be missing, never empty, and nothing it reserved
 * survives a power loss (the container's network namespace is gone). Where hard links are not
 * supported it falls back to Go's exclusive create, then write and sync.
 */
final class Store {
    /** Go's default {@code dataDir}. */
    static final Path DEFAULT_DATA_DIR = Path.of("/var/lib/cni/networks");
    /** The prefix of jcni's temporary files; never a valid address, never Go's. */
    static final String TEMP_PREFIX = ".jcni-";
    static final String LAST_RESERVED_PREFIX = "last_reserved_ip.";
    static final String LOCK_FILE = "lock";
    static final String LINE_BREAK = "\r\n";
    /** The reservations' order (Go's: the directory's, by name); a class, not a lambda, for a cold start. */
    private static final Comparator<Path> BY_FILE_NAME = new Comparator<>() {
        @Override
        public int compare(Path a, Path b) {
            return a.getFileName().toString().compareTo(b.getFileName().toString());
        }
    };

    private static final FileAttribute<Set<PosixFilePermission>> DIR_MODE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x"));
    private static final FileAttribute<Set<PosixFilePermission>> FILE_MODE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final FileAttribute<Set<PosixFilePermission>> LOCK_MODE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-x---"));

    private final Path dir;

    private Store(Path dir) {
        this.dir = dir;
    }

    /** @return {@code <dataDir>/<network>} */
    static Path directory(Path dataDir, String network) {
        return dataDir.resolve(network);
    }

    /**
     * Opens the store for ADD, creating the directory (and its parents) and the lock file as needed.
     *
     * @throws IOException when they cannot be created
     */
    static Store create(Path dataDir, String network) throws IOException {
        Path dir = directory(dataDir, network);
        // the usual case, an existing directory, costs one stat and no exception
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir, DIR_MODE);
            } catch (FileAlreadyExistsException e) {
                throw new NotDirectoryException(dir.toString());
            }
        }
        Store s = new Store(dir);
        s.ensureLockFile();
        return s;
    }

    /**
     * Opens an existing store (DEL, CHECK, GC): nothing is created when the directory is missing.
     *
     * @return the store, or empty when the directory does not exist
     * @throws IOException when it exists but is not a usable directory
     */
    static Optional<Store> existing(Path dataDir, String network) throws IOException {
        Path dir = directory(dataDir, network);
        if (!Files.exists(dir)) {
            return Optional.empty();
        }
        if (!Files.isDirectory(dir)) {
            throw new NotDirectoryException(dir.toString());
        }
        Store s = new Store(dir);
        s.ensureLockFile();
        return Optional.of(s);
    }

    Path dir() {
        return dir;
    }

    private void ensureLockFile() throws IOException {
        Path lock = dir.resolve(LOCK_FILE);
        if (Files.exists(lock, LinkOption.NOFOLLOW_LINKS)) {
            return; // the usual case: one stat, no exception
        }
        try {
            Files.createFile(lock, LOCK_MODE);
        } catch (FileAlreadyExistsException e) {
            // made meanwhile by another call
        }
    }

    /**
     * Blocks until this store's lock is held (around each range-set operation: one allocation, one
     * release, CHECK's lookup, GC's sweep).
     *
     * @return the held lock
     * @throws dev.jcni.sdk.types.CniException code 5 when it cannot be taken (the call fails, never unlocked)
     */
    PluginLock lock() {
        return PluginLock.acquire(dir.resolve(LOCK_FILE));
    }

    /** A reservation file: the address it is named after and its content. */
    record Reservation(InetAddress address, Path file, String content) {

        /** @return the content as Go compares it: white space trimmed */
        String key() {
            return GoCompat.trimSpace(content);
        }

        /** @return true when written for this container and interface */
        boolean isFor(String containerId, String ifname) {
            return key().equals(keyFor(containerId, ifname));
        }

        /** @return true for a legacy reservation holding only this container id */
        boolean isLegacyFor(String containerId) {
            return key().equals(GoCompat.trimSpace(containerId));
        }
    }

    /** @return the content Go writes, and compares (trimmed) */
    static String keyFor(String containerId, String ifname) {
        return GoCompat.trimSpace(containerId) + LINE_BREAK + ifname;
    }

    /**
     * Every reservation file (regular files named by an address), in the lexical order of their
     * names, as Go's directory walk visits them. Unreadable files are skipped, as Go does.
     */
    List<Reservation> reservations() throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                files.add(p);
            }
        }
        files.sort(BY_FILE_NAME);
        List<Reservation> out = new ArrayList<>();
        for (Path p : files) {
            String name = p.getFileName().toString();
            Optional<InetAddress> ip = name.indexOf('.') < 0 && name.indexOf(':') < 0 ? Optional.empty() : Ip.tryParse(name);
            if (ip.isEmpty() || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try {
                out.add(new Reservation(ip.get(), p, new String(Files.readAllBytes(p), StandardCharsets.UTF_8)));
            } catch (IOException e) {
                // gone or unreadable: Go's walk skips it too
            }
        }
        return out;
    }

    /** @return the temporary files left by jcni processes that died while writing */
    List<Path> leftoverTempFiles() throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, p -> p.getFileName().toString().startsWith(TEMP_PREFIX))) {
            ds.forEach(out::add);
        }
        return out;
    }

    /** Deletes a file of the store; true when it was there. */
    boolean delete(Path file) throws IOException {
        return Files.deleteIfExists(file);
    }

    private Path lastReservedFile(int rangeSetIndex) {
        return dir.resolve(LAST_RESERVED_PREFIX + rangeSetIndex);
    }

    /** @return the bytes of {@code last_reserved_ip.<N>}, when the file exists and is readable */
    Optional<byte[]> lastReservedBytes(int rangeSetIndex) {
        try {
            return Optional.of(Files.readAllBytes(lastReservedFile(rangeSetIndex)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** @return {@code last_reserved_ip.<N>} parsed exactly as Go's {@code net.ParseIP} (no trimming) */
    Optional<InetAddress> lastReserved(int rangeSetIndex) {
        Optional<byte[]> b = lastReservedBytes(rangeSetIndex);
        return b.isPresent() ? parseLastReserved(b.get()) : Optional.empty();
    }

    /** @return the content of {@code last_reserved_ip.<N>} parsed exactly as Go's {@code net.ParseIP} (no trimming) */
    static Optional<InetAddress> parseLastReserved(byte[] content) {
        return Ip.tryParse(new String(content, StandardCharsets.UTF_8));
    }

    /** Replaces {@code last_reserved_ip.<N>} atomically (a reader sees the old or the new text). */
    void writeLastReserved(int rangeSetIndex, byte[] content) throws IOException {
        Path tmp = writeTemp(content, false);
        try {
            Files.move(tmp, lastReservedFile(rangeSetIndex), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /**
     * A replacement of {@code last_reserved_ip.<N>} prepared before the store's lock: its temporary
     * file is created (unsynced, as {@link #writeLastReserved} does) at once, so that under the lock
     * only its write and {@code rename} remain.
     *
     * @throws IOException when the temporary file cannot be created
     */
    LastReserved lastReservedReplacement() throws IOException {
        Temp t = createTemp();
        return new LastReserved(t.path(), t.channel());
    }

    /** See {@link #lastReservedReplacement()}; close it after the lock (an unused one removes its file). */
    final class LastReserved implements AutoCloseable {
        private final Path tmp;
        private final FileChannel channel;
        private boolean done;

        private LastReserved(Path tmp, FileChannel channel) {
            this.tmp = tmp;
            this.channel = channel;
        }

        /**
         * Replaces {@code last_reserved_ip.<N>} atomically with the content (once); when a GC removed
         * the prepared file meanwhile, the replacement is written afresh ({@link #writeLastReserved}).
         */
        void replace(int rangeSetIndex, byte[] content) throws IOException {
            if (done) {
                throw new IllegalStateException("a replacement is used once");
            }
            done = true;
            try {
                try (channel) {
                    writeFully(channel, content);
                }
                Files.move(tmp, lastReservedFile(rangeSetIndex), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (NoSuchFileException e) {
                writeLastReserved(rangeSetIndex, content);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(tmp);
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            if (!done) {
                done = true;
                try (channel) {
                    Files.deleteIfExists(tmp);
                }
            }
        }
    }

    /** Removes {@code last_reserved_ip.<N>}. */
    void deleteLastReserved(int rangeSetIndex) throws IOException {
        Files.deleteIfExists(lastReservedFile(rangeSetIndex));
    }

    /** @return a file name for an address: its canonical text */
    Path fileFor(InetAddress address) {
        return dir.resolve(Ip.format(address));
    }

    /**
     * Exclusive reservations for one attachment. The content is written to a temporary file, and
     * synced, at once (call this before the store's lock); {@link Claimer#claim(InetAddress)} links
     * it to an address's name; a taken address costs no new write, and closing deletes the temporary
     * file.
     *
     * @throws IOException when the temporary file cannot be written
     */
    Claimer claimer(String containerId, String ifname) throws IOException {
        Claimer c = new Claimer(keyFor(containerId, ifname).getBytes(StandardCharsets.UTF_8), false);
        c.temp = writeTemp(c.content, true);
        return c;
    }

    /** A claimer that uses Go's create-then-write way from the start, as on a file system without hard links. */
    Claimer claimerWithoutLinks(String containerId, String ifname) {
        return new Claimer(keyFor(containerId, ifname).getBytes(StandardCharsets.UTF_8), true);
    }

    final class Claimer implements AutoCloseable {
        private final byte[] content;
        private Path temp;
        /** Temporary names already linked to a reservation: removed by close, after the store's lock. */
        private final List<Path> linked = new ArrayList<>(1);
        private boolean linksUnsupported;

        private Claimer(byte[] content, boolean linksUnsupported) {
            this.content = content;
            this.linksUnsupported = linksUnsupported;
        }

        /**
         * Reserves an address: its file appears complete or not at all.
         *
         * @return false when the address is taken (its file exists)
         * @throws IOException when the store cannot be written
         */
        boolean claim(InetAddress address) throws IOException {
            Path target = fileFor(address);
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
            if (!linksUnsupported) {
                for (int attempt = 0; attempt < 2; attempt++) {
                    if (temp == null) {
                        temp = writeTemp(content, true);
                    }
                    try {
                        Files.createLink(target, temp);
                        // one inode per reservation: the next claim writes its own temporary file; this
                        // one's name goes at close, once the lock is released (a GC may remove it first)
                        linked.add(temp);
                        temp = null;
                        return true;
                    } catch (FileAlreadyExistsException e) {
                        return false;
                    } catch (NoSuchFileException e) {
                        temp = null; // our temporary file vanished (a GC removed it before the lock): write it again once
                    } catch (UnsupportedOperationException | FileSystemException e) {
                        linksUnsupported = true;
                        break;
                    }
                }
            }
            return createExclusive(target);
        }

        /** Go's way: O_CREAT|O_EXCL, then write, then (beyond Go) sync; removed again on failure. */
        private boolean createExclusive(Path target) throws IOException {
            FileChannel fc;
            try {
                fc = FileChannel.open(target, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), FILE_MODE);
            } catch (FileAlreadyExistsException e) {
                return false;
            }
            try (fc) {
                writeFully(fc, content);
                long t = Phases.start();
                fc.force(false);
                Phases.add("fsync (host-local store)", t);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(target);
                throw e;
            }
            syncDirectory();
            return true;
        }

        /**
         * Removes the temporary names: the unused file, and the names of the files now linked to
         * reservations (the reservations stay). Close it after the store's lock, so that the
         * removals do not hold up other calls.
         */
        @Override
        public void close() throws IOException {
            IOException failure = null;
            if (temp != null) {
                linked.add(temp);
                temp = null;
            }
            for (Path p : linked) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    failure = e;
                }
            }
            linked.clear();
            if (failure != null) {
                throw failure;
            }
        }
    }

    private Path writeTemp(byte[] content, boolean sync) throws IOException {
        Temp temp = createTemp();
        Path tmp = temp.path();
        try (FileChannel fc = temp.channel()) {
            writeFully(fc, content);
            if (sync) {
                long t = Phases.start();
                fc.force(false);
                Phases.add("fsync (host-local store, before the lock)", t);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        return tmp;
    }

    /** A temporary file of the store and its channel, open for writing. */
    private record Temp(Path path, FileChannel channel) {
    }

    /**
     * A new, empty temporary file in the store directory, created exclusively with the store's mode.
     * No pid in the name: ProcessHandle's set-up is a few ms of a cold call; CREATE_NEW and the loop
     * make the random name unique.
     */
    private Temp createTemp() throws IOException {
        while (true) {
            Path tmp = dir.resolve(TEMP_PREFIX + Long.toHexString(ThreadLocalRandom.current().nextLong()));
            try {
                return new Temp(tmp, FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                        FILE_MODE));
            } catch (FileAlreadyExistsException e) {
                // another name
            }
        }
    }

    private static void writeFully(FileChannel fc, byte[] content) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
            fc.write(buf);
        }
    }

    /** Makes a new name in the directory durable; best effort (not every file system allows it). */
    private void syncDirectory() {
        long t = Phases.start();
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
            Phases.add("fsync (host-local store)", t);
        } catch (IOException e) {
            // the reservation itself is complete; only its durability across a power loss is weaker
        }
    }
}
