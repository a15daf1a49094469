package dev.jcni.plugins.firewall;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class NamesTest {

    @Test
    void chainNamesEqualGos() {
        // values observed from the Go plugins (a run of Go bridge v1.1.1 with ipMasq)
        assertEquals("CNI-effb8ec6256d331b9c0349d7", Names.chainName("tnet", "abc"));
        assertEquals(28, Names.chainName("n", "c").length());
    }

    @Test
    void commentEqualsGos() {
        assertEquals("name: \"tnet\" id: \"abc\"", Names.comment("tnet", "abc"));
    }

    @Test
    void specLinesSplitQuotedComments() {
        assertEquals(List.of("-A", "POSTROUTING", "-s", "10.99.0.2/32", "-m", "comment", "--comment", "name: \"tnet\" id: \"abc\"",
                "-j", "CNI-effb8ec6256d331b9c0349d7"),
                SpecLines.split("-A POSTROUTING -s 10.99.0.2/32 -m comment --comment \"name: \\\"tnet\\\" id: \\\"abc\\\"\" -j CNI-effb8ec6256d331b9c0349d7"));
    }
}
