package dev.jcni.plugins.hostlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jcni.sdk.types.Dns;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** resolv.conf into result DNS, with the Go plugin's rules. */
class ResolvConfTest {

    @Test
    void nameserversAccumulateInOrderTakingTheFirstArgument() {
        Dns d = ResolvConf.parse("nameserver 10.0.0.1\nnameserver 2001:db8::53 ignored\n");
        assertEquals(List.of("10.0.0.1", "2001:db8::53"), d.nameservers());
    }

    @Test
    void theLastDomainWins() {
        assertEquals("b.example", ResolvConf.parse("domain a.example\ndomain b.example\n").domain());
    }

    @Test
    void searchAndOptionsAccumulateEveryArgumentAcrossLines() {
        Dns d = ResolvConf.parse("search a.example b.example\nsearch c.example\noptions ndots:5 rotate\noptions edns0\n");
        assertEquals(List.of("a.example", "b.example", "c.example"), d.search());
        assertEquals(List.of("ndots:5", "rotate", "edns0"), d.options());
    }

    @Test
    void commentsEmptyLinesShortLinesAndUnknownKeywordsAreSkipped() {
        Dns d = ResolvConf.parse("# nameserver 1.1.1.1\n; nameserver 2.2.2.2\n\n   \nnameserver\nsortlist 10.0.0.0\n"
                + "  nameserver   10.0.0.9  \r\n\tdomain\tx.example\n");
        assertEquals(new Dns(List.of("10.0.0.9"), "x.example", List.of(), List.of()), d);
    }

    @Test
    void keywordsAreCaseSensitive() {
        assertEquals(Dns.EMPTY, ResolvConf.parse("Nameserver 10.0.0.1\nSEARCH a\n"));
    }

    @Test
    void anEmptyFileGivesNoSettings() {
        assertEquals(Dns.EMPTY, ResolvConf.parse(""));
    }

    @Test
    void aMissingFileIsAnError(@TempDir Path dir) {
        assertThrows(NoSuchFileException.class, () -> ResolvConf.read(dir.resolve("absent")));
    }

    @Test
    void readsAFile(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("resolv.conf"), "nameserver 10.0.0.1\nsearch svc.local\n");
        assertEquals(new Dns(List.of("10.0.0.1"), "", List.of("svc.local"), List.of()), ResolvConf.read(f));
    }
}
