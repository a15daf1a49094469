package dev.jcni.sdk.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * This process's environment, its bytes read as UTF-8 whatever the locale. {@link System#getenv()}
 * decodes through the locale's charset ({@code sun.jnu.encoding}), which is ASCII when a runtime
 * starts a plugin with an almost empty environment: a 15-byte UTF-8 interface name would come out as
 * replacement characters, three bytes each, and fail the kernel's 15-byte rule. The kernel counts
 * bytes, and so do jcni's checks, on the text the runtime meant.
 */
public final class ProcessEnv {
    private ProcessEnv() {
    }

    /** The environment the kernel gave this process at exec. */
    static final Path ENVIRON = Path.of("/proc/self/environ");

    /**
     * @return the environment from {@code /proc/self/environ}, or {@link System#getenv()} where
     *     that cannot be read
     */
    public static Map<String, String> read() {
        try {
            return parse(Files.readAllBytes(ENVIRON));
        } catch (IOException | RuntimeException e) {
            return System.getenv();
        }
    }

    /**
     * Parses an environment block: {@code NAME=value} entries ended by NUL, as UTF-8. An entry
     * without {@code =} is skipped; of two entries with one name the first counts, as with
     * {@code getenv(3)}.
     *
     * @param block the bytes
     * @return name → value, in the block's order
     */
    static Map<String, String> parse(byte[] block) {
        Map<String, String> env = new LinkedHashMap<>();
        int start = 0;
        for (int i = 0; i <= block.length; i++) {
            if (i == block.length || block[i] == 0) {
                int eq = -1;
                for (int j = start; j < i; j++) {
                    if (block[j] == '=') {
                        eq = j;
                        break;
                    }
                }
                if (eq > start) {
                    env.putIfAbsent(new String(block, start, eq - start, StandardCharsets.UTF_8),
                            new String(block, eq + 1, i - eq - 1, StandardCharsets.UTF_8));
                }
                start = i + 1;
            }
        }
        return Collections.unmodifiableMap(env);
    }
}
