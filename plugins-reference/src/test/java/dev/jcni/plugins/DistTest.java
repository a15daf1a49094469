package dev.jcni.plugins;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How {@link Dist} runs a command: its environment and its stdin, checked with sh and od. */
class DistTest {
    private static final List<String> PRINT_WARM = List.of("/bin/sh", "-c", "printf '%s' \"${JCNI_WARM-unset}\"");

    @Test
    void runsAreColdUnlessTheEnvironmentSaysOtherwise() {
        assertEquals("off", Dist.run(PRINT_WARM, Map.of("CNI_COMMAND", "VERSION"), "").stdout(),
                "a live daemon must not turn a cold test warm");
        assertEquals("on", Dist.run(PRINT_WARM, Map.of("JCNI_WARM", "on"), "").stdout(), "a warm test says so");
    }

    @Test
    void stdinBytesArePassedExactly() {
        byte[] bytes = {'{', (byte) 0xff, (byte) 0xe9, 0, (byte) 0xc3, '\n', (byte) 0x80};
        Dist.Run r = Dist.start(List.of("/bin/sh", "-c", "od -An -v -tx1 | tr -d ' \\n'"), Map.of(), bytes).finish();
        assertEquals(0, r.exitCode(), r.stderr());
        assertArrayEquals(bytes, HexFormat.of().parseHex(r.stdout().trim()), "what the process read: " + r.stdout());
    }
}
