package dev.jcni.sdk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jcni.sdk.types.Validators;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The environment is read as UTF-8 bytes, whatever the locale. */
class ProcessEnvTest {
    static byte[] block(String... entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String e : entries) {
            out.writeBytes(e.getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }
        return out.toByteArray();
    }

    @Test
    void aFifteenByteUtf8InterfaceNameStaysFifteenBytes() {
        String name = "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9x"; // 7 two-byte characters and one ASCII: 15 bytes
        Map<String, String> env = ProcessEnv.parse(block("CNI_IFNAME=" + name, "PATH=/bin"));
        assertEquals(name, env.get("CNI_IFNAME"));
        assertEquals(15, env.get("CNI_IFNAME").getBytes(StandardCharsets.UTF_8).length);
        Validators.validateInterfaceName(env.get("CNI_IFNAME"));
    }

    @Test
    void theFirstOfTwoEntriesCountsAndEntriesWithoutEqualsAreSkipped() {
        Map<String, String> env = ProcessEnv.parse(block("A=1", "junk", "A=2", "B=x=y", "C="));
        assertEquals(Map.of("A", "1", "B", "x=y", "C", ""), env);
    }

    @Test
    void thisProcessEnvironmentIsReadable() {
        assertEquals(System.getenv("PATH"), ProcessEnv.read().get("PATH"));
    }
}
