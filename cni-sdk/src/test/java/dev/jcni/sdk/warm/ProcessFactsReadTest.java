package dev.jcni.sdk.warm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The caller checks' reader of /proc files: the whole text, whatever its size, and a failure for a missing file. */
class ProcessFactsReadTest {

    @Test
    void readsAProcFileWhole() throws IOException {
        String path = "/proc/" + ProcessHandle.current().pid() + "/limits";
        assertEquals(Files.readString(Path.of(path)), ProcessFacts.read(path));
    }

    @Test
    void aFileLargerThanTheBufferIsReadWholeAndTheNextSmallerOneExactly(@TempDir Path dir) throws IOException {
        Path exact = Files.write(dir.resolve("exact"), new byte[8192]);
        assertEquals(8192, ProcessFacts.read(exact.toString()).length(), "a file the size of the first buffer");
        StringBuilder b = new StringBuilder();
        for (int i = 0; b.length() < 40_000; i++) {
            b.append("line ").append(i).append(" grüße\n");
        }
        Path big = Files.writeString(dir.resolve("big"), b, StandardCharsets.UTF_8);
        assertEquals(b.toString(), ProcessFacts.read(big.toString()));
        Path small = Files.writeString(dir.resolve("small"), "0\n");
        assertEquals("0\n", ProcessFacts.read(small.toString()), "nothing of the larger file is left over");
        Path empty = Files.writeString(dir.resolve("empty"), "");
        assertEquals("", ProcessFacts.read(empty.toString()));
    }

    @Test
    void aMissingFileFails(@TempDir Path dir) {
        assertThrows(IOException.class, () -> ProcessFacts.read(dir.resolve("gone").toString()));
    }
}
