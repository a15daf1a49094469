package dev.jcni.sdk.version;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PluginInfoTest {

    static PluginInfo decode(String s) {
        return PluginInfo.fromJson(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void encodesCompactWithNewline() {
        assertEquals("{\"cniVersion\":\"1.1.0\",\"supportedVersions\":[\"0.4.0\",\"1.0.0\"]}\n",
                new String(PluginInfo.of("0.4.0", "1.0.0").toJson(), StandardCharsets.UTF_8));
    }

    @Test
    void decoderRules() {
        assertEquals(List.of("0.1.0", "0.2.0"), decode("{\"cniVersion\":\"0.2.0\"}").supportedVersions(),
                "0.2.0 without supportedVersions means 0.1.0 and 0.2.0");
        assertEquals("decoding version info: missing field supportedVersions",
                assertThrows(IllegalArgumentException.class, () -> decode("{\"cniVersion\":\"0.3.0\"}")).getMessage());
        assertEquals("decoding version info: missing field cniVersion",
                assertThrows(IllegalArgumentException.class, () -> decode("{\"supportedVersions\":[\"1.0.0\"]}")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> decode("nope"));
        assertEquals(List.of("1.0.0"), decode("{\"cniVersion\":\"1.0.0\",\"supportedVersions\":[\"1.0.0\"]}").supportedVersions());
    }

    @Test
    void reconcileNeedsExactMatch() {
        PluginInfo info = PluginInfo.of("1.0.0", "1.1.0");
        info.reconcile("1.1.0");
        CniException e = assertThrows(CniException.class, () -> info.reconcile("1.1"));
        assertEquals(ErrorCodes.INCOMPATIBLE_CNI_VERSION, e.code());
        assertEquals("incompatible CNI versions", e.msg());
        assertEquals("config is \"1.1\", plugin supports [\"1.0.0\" \"1.1.0\"]", e.details());
        assertEquals("config is \"0.1.0\", plugin supports [\"1.0.0\" \"1.1.0\"]",
                assertThrows(CniException.class, () -> info.reconcile("")).details(), "empty means 0.1.0");
    }
}
