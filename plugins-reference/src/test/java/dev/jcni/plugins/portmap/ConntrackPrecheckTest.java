package dev.jcni.plugins.portmap;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The read of /proc/net/nf_conntrack that decides whether the netlink flush is needed. */
class ConntrackPrecheckTest {
    static final String TABLE = String.join("\n",
            "ipv4     2 udp      17 29 src=10.1.0.2 dst=10.1.1.1 sport=40000 dport=5353 src=10.1.2.5 dst=10.1.0.2 sport=53 dport=40000 mark=0 zone=0 use=2",
            "ipv4     2 tcp      6 117 TIME_WAIT src=127.0.0.1 dst=127.0.0.1 sport=36160 dport=8080 src=10.1.2.5 dst=10.1.2.1 sport=80 dport=36160 [ASSURED] mark=0 zone=0 use=2",
            "ipv6     10 udp      17 20 src=fd00:1::2 dst=fd00:1:1::1 sport=40001 dport=6000 [UNREPLIED] src=fd00:1:2::5 dst=fd00:1::2 sport=53 dport=40001 mark=0 zone=0 use=2",
            "");

    @Test
    void onlyTheOriginalDestinationPortOfUdpEntriesOfTheFamilyCounts(@TempDir Path dir) throws IOException {
        Path t = dir.resolve("nf_conntrack");
        Files.writeString(t, TABLE);
        assertTrue(HostNetwork.mayTrackUdpTo(t, false, List.of(5353)));
        assertFalse(HostNetwork.mayTrackUdpTo(t, false, List.of(53)), "reply ports do not count");
        assertFalse(HostNetwork.mayTrackUdpTo(t, false, List.of(8080)), "TCP does not count");
        assertFalse(HostNetwork.mayTrackUdpTo(t, false, List.of(6000)), "the other family does not count");
        assertTrue(HostNetwork.mayTrackUdpTo(t, true, List.of(6000, 7000)));
        assertFalse(HostNetwork.mayTrackUdpTo(t, true, List.of(5353)));
    }

    @Test
    void withoutTheTextViewTheFlushRuns(@TempDir Path dir) {
        assertTrue(HostNetwork.mayTrackUdpTo(dir.resolve("missing"), false, List.of(5353)));
    }
}
