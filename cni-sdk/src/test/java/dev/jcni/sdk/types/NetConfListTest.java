package dev.jcni.sdk.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NetConfListTest {

    static NetConfList parse(String s) {
        return NetConfList.fromJson(s.getBytes(StandardCharsets.UTF_8));
    }

    static String error(String s) {
        return assertThrows(IllegalArgumentException.class, () -> parse(s)).getMessage();
    }

    @Test
    void parsesAList() {
        NetConfList l = parse("""
                {"cniVersion":"1.0.0","name":"n","disableCheck":true,"plugins":[{"type":"bridge","x":1},{"type":"portmap"}]}""");
        assertEquals("1.0.0", l.cniVersion());
        assertEquals("n", l.name());
        assertTrue(l.disableCheck());
        assertFalse(l.disableGC());
        assertEquals(List.of("bridge", "portmap"), l.plugins().stream().map(NetConf::type).toList());
        assertEquals(Optional.of(1L), l.plugins().get(0).get("x"));
    }

    @Test
    void nameIsRequiredAndAString() {
        assertEquals("error parsing configuration list: no name", error("{\"plugins\":[{\"type\":\"a\"}]}"));
        assertEquals("error parsing configuration list: invalid name type float64", error("{\"name\":1}"));
    }

    @Test
    void cniVersionMustBeAString() {
        assertEquals("error parsing configuration list: invalid cniVersion type bool", error("{\"name\":\"n\",\"cniVersion\":true}"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "true | true", "\"true\" | true", "\"TRUE\" | true", "\"False\" | false", "false | false"})
    void booleanFlagsAlsoAcceptCaseInsensitiveStrings(String json, boolean expected) {
        for (String key : List.of("disableCheck", "disableGC", "loadOnlyInlinedPlugins")) {
            NetConfList l = parse("{\"name\":\"n\",\"" + key + "\":" + json + ",\"plugins\":[{\"type\":\"a\"}]}");
            boolean got = switch (key) {
                case "disableCheck" -> l.disableCheck();
                case "disableGC" -> l.disableGC();
                default -> l.loadOnlyInlinedPlugins();
            };
            assertEquals(expected, got, key);
        }
    }

    @Test
    void booleanFlagErrors() {
        assertEquals("error parsing configuration list: invalid value \"yes\" for disableCheck",
                error("{\"name\":\"n\",\"disableCheck\":\"YES\"}"));
        assertEquals("error parsing configuration list: invalid type float64 for disableGC",
                error("{\"name\":\"n\",\"disableGC\":1}"));
    }

    @Test
    void pluginsRules() {
        assertEquals("error parsing configuration list: invalid 'plugins' type map[string]interface {}",
                error("{\"name\":\"n\",\"plugins\":{}}"));
        assertEquals("error parsing configuration list: no plugins in list", error("{\"name\":\"n\",\"plugins\":[]}"));
        assertEquals("failed to parse plugin config 1: error parsing configuration: missing 'type'",
                error("{\"name\":\"n\",\"plugins\":[{\"type\":\"a\"},{\"x\":1}]}"));
        assertEquals("error parsing configuration list: `loadOnlyInlinedPlugins` is true, and no 'plugins' key",
                error("{\"name\":\"n\",\"loadOnlyInlinedPlugins\":true}"));
        assertTrue(parse("{\"name\":\"n\"}").plugins().isEmpty(), "plugins may come from the sibling folder");
    }

    @Test
    void cniVersionsPicksHighestSupported() {
        assertEquals("1.0.0", parse("{\"name\":\"n\",\"cniVersion\":\"0.4.0\",\"cniVersions\":[\"1.0.0\",\"0.3.1\"]}").cniVersion());
        assertEquals("1.1.0", parse("{\"name\":\"n\",\"cniVersions\":[\"1.1.0\",\"2.0.0\"]}").cniVersion());
        assertEquals("0.4.0", parse("{\"name\":\"n\",\"cniVersion\":\"0.4.0\",\"cniVersions\":[\"5.0\"]}").cniVersion());
        assertEquals("1.2.3", parse("{\"name\":\"n\",\"cniVersion\":\"1.2.3\"}").cniVersion(), "kept verbatim without cniVersions");
        assertEquals("", parse("{\"name\":\"n\"}").cniVersion());
        assertEquals(Optional.of(List.of("1.1.0", "2.0.0")), parse("{\"name\":\"n\",\"cniVersions\":[\"1.1.0\",\"2.0.0\"]}").cniVersions());
    }

    @Test
    void cniVersionsEntryErrors() {
        assertEquals("error parsing configuration list: invalid cniVersions entry 1.x at index 1: "
                        + "failed to convert minor version part \"x\": strconv.Atoi: parsing \"x\": invalid syntax",
                error("{\"name\":\"n\",\"cniVersions\":[\"1.0.0\",\"1.x\"]}"));
        assertEquals("error parsing configuration list: invalid type for cniVersions index 0: float64",
                error("{\"name\":\"n\",\"cniVersions\":[1]}"));
    }

    @Test
    void singleConfIsUpconverted() {
        NetConf single = NetConfList.pluginFromJson("{\"cniVersion\":\"0.3.1\",\"name\":\"n\",\"type\":\"bridge\",\"b\":1}"
                .getBytes(StandardCharsets.UTF_8));
        NetConfList l = NetConfList.fromSingle(single);
        assertEquals("0.3.1", l.cniVersion());
        assertEquals("n", l.name());
        assertEquals(1, l.plugins().size());
        assertEquals(single, l.plugins().get(0));
    }

    @Test
    void pluginWithoutTypeIsRejected() {
        assertEquals("error parsing configuration: missing 'type'", assertThrows(IllegalArgumentException.class,
                () -> NetConfList.pluginFromJson("{\"name\":\"x\"}".getBytes(StandardCharsets.UTF_8))).getMessage());
    }
}
