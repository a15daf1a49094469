package dev.jcni.plugins.hostlocal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.types.Ip;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's format (Go's, byte for byte) and its exclusive, never-partial reservations. */
class StoreTest {
    @TempDir
    Path data;

    static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void createMakesTheDirectoryAndAnEmptyLockFileWithGoModes() throws Exception {
        Store s = Store.create(data.resolve("a/b"), "net");
        assertEquals(data.resolve("a/b/net"), s.dir());
        assertEquals("rwxr-xr-x", mode(s.dir()));
        assertEquals("rwxr-xr-x", mode(data.resolve("a")), "parents too, as MkdirAll(0755)");
        assertEquals("rwxr-x---", mode(s.dir().resolve("lock")));
        assertEquals(0, Files.size(s.dir().resolve("lock")));
    }

    @Test
    void existingCreatesNoDirectory() throws Exception {
        assertEquals(Optional.empty(), Store.existing(data, "net"));
        assertFalse(Files.exists(data.resolve("net")));
        Files.writeString(data.resolve("file"), "x");
        assertThrows(NotDirectoryException.class, () -> Store.existing(data, "file"));
    }

    @Test
    void aReservationIsContainerIdCrLfIfnameWithMode0600AndNoTrailingNewline() throws Exception {
        Store s = Store.create(data, "net");
        try (Store.Claimer c = s.claimer(" c1 ", "eth0")) {
            assertTrue(c.claim(Ip.parse("10.1.2.3")));
            assertTrue(c.claim(Ip.parse("2001:db8::3")), "one claimer may reserve several addresses");
        }
        Path f = s.dir().resolve("10.1.2.3");
        assertArrayEquals("c1\r\neth0".getBytes(StandardCharsets.US_ASCII), Files.readAllBytes(f), "the id is trimmed, as Go does");
        assertEquals("rw-------", mode(f));
        assertEquals(1, Files.getAttribute(f, "unix:nlink"), "the temporary link is gone");
        assertTrue(Files.exists(s.dir().resolve("2001:db8::3")), "IPv6 file names are the canonical text, colons kept");
        assertEquals(List.of(), s.leftoverTempFiles());
    }

    /**
     * The claimer writes (and syncs) its reservation's content before the store's lock is taken, so
     * that under the lock a claim is one link(2); a claimer that claims nothing leaves nothing.
     */
    @Test
    void theContentIsWrittenWhenTheClaimerIsMadeBeforeAnyClaim() throws Exception {
        Store s = Store.create(data, "net");
        try (Store.Claimer c = s.claimer("c1", "eth0")) {
            List<Path> temps = s.leftoverTempFiles();
            assertEquals(1, temps.size(), "written before the lock: " + temps);
            assertEquals("c1\r\neth0", Files.readString(temps.get(0)));
        }
        assertEquals(List.of(), s.leftoverTempFiles(), "an unused claimer removes its file");
    }

    /**
     * A claim under the lock is the link(2) alone: the temporary name of the linked file is removed
     * when the claimer closes (after the lock), and a GC that removed it first does no harm.
     */
    @Test
    void theTemporaryNameOfAClaimedFileGoesWhenTheClaimerCloses() throws Exception {
        Store s = Store.create(data, "net");
        Path f = s.dir().resolve("10.1.2.3");
        try (Store.Claimer c = s.claimer("c1", "eth0")) {
            assertTrue(c.claim(Ip.parse("10.1.2.3")));
            assertEquals(1, s.leftoverTempFiles().size(), "still named until close");
            assertEquals(2, Files.getAttribute(f, "unix:nlink"));
        }
        assertEquals(List.of(), s.leftoverTempFiles());
        assertEquals(1, Files.getAttribute(f, "unix:nlink"));
        assertEquals("c1\r\neth0", Files.readString(f));

        try (Store.Claimer c = s.claimer("c2", "eth0")) {
            assertTrue(c.claim(Ip.parse("10.1.2.4")));
            for (Path t : s.leftoverTempFiles()) {
                s.delete(t); // a GC under the lock
            }
        }
        assertEquals("c2\r\neth0", Files.readString(s.dir().resolve("10.1.2.4")));
        assertEquals(List.of(), s.leftoverTempFiles());
    }

    /**
     * last_reserved_ip's replacement is prepared before the lock (its temporary file created), used
     * under it (written and renamed over the old file); unused, it removes its file; when a GC removed
     * the prepared file meanwhile, the replacement is written afresh.
     */
    @Test
    void aLastReservedReplacementPreparedBeforeTheLockReplacesAtomicallyOrLeavesNothing() throws Exception {
        Store s = Store.create(data, "net");
        s.writeLastReserved(0, "10.1.2.3".getBytes(StandardCharsets.US_ASCII));
        try (Store.LastReserved r = s.lastReservedReplacement()) {
            assertEquals(1, s.leftoverTempFiles().size(), "created before the lock");
            assertEquals(Optional.of(Ip.parse("10.1.2.3")), s.lastReserved(0), "the old content until the replacement");
            r.replace(0, "10.1.2.4".getBytes(StandardCharsets.US_ASCII));
            assertEquals(List.of(), s.leftoverTempFiles(), "renamed over the old file");
            assertThrows(IllegalStateException.class, () -> r.replace(0, "10.1.2.5".getBytes(StandardCharsets.US_ASCII)));
        }
        assertEquals(Optional.of(Ip.parse("10.1.2.4")), s.lastReserved(0));
        assertEquals("rw-------", mode(s.dir().resolve("last_reserved_ip.0")));

        try (Store.LastReserved r = s.lastReservedReplacement()) {
            assertEquals(1, s.leftoverTempFiles().size());
        }
        assertEquals(List.of(), s.leftoverTempFiles(), "an unused replacement removes its file");
        assertEquals(Optional.of(Ip.parse("10.1.2.4")), s.lastReserved(0));

        try (Store.LastReserved r = s.lastReservedReplacement()) {
            for (Path t : s.leftoverTempFiles()) {
                s.delete(t); // a GC under the lock
            }
            r.replace(1, "10.1.3.9".getBytes(StandardCharsets.US_ASCII));
        }
        assertEquals(Optional.of(Ip.parse("10.1.3.9")), s.lastReserved(1), "written afresh");
        assertEquals(List.of(), s.leftoverTempFiles());
    }

    /** A GC (under the lock) may remove the temporary file of a claimer made before the lock: the claim writes it again. */
    @Test
    void aClaimWhoseTemporaryFileWasRemovedWritesItAgain() throws Exception {
        Store s = Store.create(data, "net");
        try (Store.Claimer c = s.claimer("c1", "eth0")) {
            for (Path t : s.leftoverTempFiles()) {
                s.delete(t);
            }
            assertTrue(c.claim(Ip.parse("10.1.2.3")));
        }
        assertEquals("c1\r\neth0", Files.readString(s.dir().resolve("10.1.2.3")));
        assertEquals(List.of(), s.leftoverTempFiles());
    }

    @Test
    void aClaimOnAnExistingFileFailsAndLeavesItUntouched() throws Exception {
        Store s = Store.create(data, "net");
        Files.writeString(s.dir().resolve("10.1.2.3"), "other\r\neth0");
        try (Store.Claimer c = s.claimer("c1", "eth0")) {
            assertFalse(c.claim(Ip.parse("10.1.2.3")));
        }
        assertEquals("other\r\neth0", Files.readString(s.dir().resolve("10.1.2.3")));
        assertEquals(List.of(), s.leftoverTempFiles());
    }

    @Test
    void withoutHardLinksTheReservationIsCreatedExclusivelyAsGoDoes() throws Exception {
        Store s = Store.create(data, "net");
        Files.writeString(s.dir().resolve("10.1.2.4"), "other");
        try (Store.Claimer c = s.claimerWithoutLinks("c1", "eth0")) {
            assertTrue(c.claim(Ip.parse("10.1.2.3")));
            assertFalse(c.claim(Ip.parse("10.1.2.4")));
        }
        assertEquals("c1\r\neth0", Files.readString(s.dir().resolve("10.1.2.3")));
        assertEquals("rw-------", mode(s.dir().resolve("10.1.2.3")));
        assertEquals(List.of(), s.leftoverTempFiles());
    }

    @Test
    void concurrentClaimsOfOneAddressHaveExactlyOneWinner() throws Exception {
        Store s = Store.create(data, "net");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 20; round++) {
                String ip = "10.1.2." + (round + 10);
                List<Future<Boolean>> results = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    String id = "c" + t;
                    results.add(pool.submit(() -> {
                        try (Store.Claimer c = s.claimer(id, "eth0")) {
                            return c.claim(Ip.parse(ip));
                        }
                    }));
                }
                int winners = 0;
                for (Future<Boolean> f : results) {
                    winners += f.get() ? 1 : 0;
                }
                assertEquals(1, winners, ip);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(List.of(), s.leftoverTempFiles());
    }

    @Test
    void lastReservedIsTheAddressTextReplacedAtomicallyWithMode0600() throws Exception {
        Store s = Store.create(data, "net");
        assertEquals(Optional.empty(), s.lastReserved(0));
        s.writeLastReserved(0, "10.1.2.3".getBytes(StandardCharsets.US_ASCII));
        s.writeLastReserved(0, "10.1.2.4".getBytes(StandardCharsets.US_ASCII));
        assertEquals("10.1.2.4", Files.readString(s.dir().resolve("last_reserved_ip.0")));
        assertEquals("rw-------", mode(s.dir().resolve("last_reserved_ip.0")));
        assertEquals(Optional.of(Ip.parse("10.1.2.4")), s.lastReserved(0));
        Files.writeString(s.dir().resolve("last_reserved_ip.1"), "10.1.2.4\n");
        assertEquals(Optional.empty(), s.lastReserved(1), "parsed as Go's net.ParseIP: no trimming");
        assertEquals(List.of(), s.leftoverTempFiles());
    }

    @Test
    void reservationsAreTheAddressNamedRegularFilesInNameOrder() throws Exception {
        Store s = Store.create(data, "net");
        for (String name : List.of("10.1.2.30", "10.1.2.4", "2001:db8::1", "last_reserved_ip.0", ".jcni-1-2", "notes", "1.2.3")) {
            Files.writeString(s.dir().resolve(name), "x");
        }
        Files.createDirectory(s.dir().resolve("10.9.9.9"));
        List<String> names = s.reservations().stream().map(r -> r.file().getFileName().toString()).toList();
        assertEquals(List.of("10.1.2.30", "10.1.2.4", "2001:db8::1"), names);
        Set<String> temps = new HashSet<>();
        s.leftoverTempFiles().forEach(p -> temps.add(p.getFileName().toString()));
        assertEquals(Set.of(".jcni-1-2"), temps);
    }

    @Test
    void ownershipIsComparedOnTrimmedContent() throws Exception {
        Store.Reservation r = new Store.Reservation(Ip.parse("10.0.0.1"), data, "\n c1\r\neth0 \n");
        assertTrue(r.isFor("c1", "eth0"));
        assertFalse(r.isFor("c1", "eth1"));
        assertFalse(r.isLegacyFor("c1"));
        assertTrue(new Store.Reservation(Ip.parse("10.0.0.1"), data, "c1\n").isLegacyFor("c1"));
    }
}
