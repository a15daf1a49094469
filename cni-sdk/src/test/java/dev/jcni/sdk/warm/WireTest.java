package dev.jcni.sdk.warm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WireTest {

    private static Wire.Request read(byte[] b) throws IOException {
        return Wire.readRequest(Channels.newChannel(new ByteArrayInputStream(b)));
    }

    @Test
    void aRequestRoundTrips() throws IOException {
        byte[] stdin = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        byte[] b = RawClient.request("id1", "bridge", "/tmp", List.of("--x"),
                List.of("A=1", "B=x=y", "A=2", "=odd", "NOEQ", "U=grüße"), stdin);
        Wire.Request r = read(b);
        assertEquals("id1", r.distId());
        assertEquals("bridge", r.plugin());
        assertEquals("/tmp", r.cwd());
        assertEquals(List.of("--x"), r.args());
        assertArrayEquals(stdin, r.stdinBytes());
        assertArrayEquals(stdin, r.stdinStream().readAllBytes());
        assertEquals(ProcessHandle.current().pid(), r.pid());
        // as the JVM reads environ: the last of a name wins, entries without a name are dropped
        assertEquals(Map.of("A", "2", "B", "x=y", "U", "grüße"), r.envMap());
    }

    @Test
    void malformedRequestsAreRefused() throws IOException {
        byte[] good = RawClient.request("id", "p", "/", List.of(), List.of(), new byte[0]);
        byte[] badMagic = good.clone();
        badMagic[0] = 'X';
        assertThrows(Wire.ProtocolException.class, () -> read(badMagic));
        assertThrows(IOException.class, () -> read(Arrays.copyOf(good, good.length - 1)));
        byte[] huge = good.clone();
        huge[4] = 0x7f;
        assertThrows(Wire.ProtocolException.class, () -> read(huge));
        byte[] badLength = good.clone();
        badLength[good.length - 4] = 0x10; // stdin length beyond the body
        assertThrows(Wire.ProtocolException.class, () -> read(badLength));
    }
}
