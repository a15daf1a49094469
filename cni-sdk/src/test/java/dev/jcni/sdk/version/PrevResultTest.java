package dev.jcni.sdk.version;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import dev.jcni.sdk.types.NetConf;
import dev.jcni.sdk.types.Result;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** prevResult parsing within the configuration's version family (Go's version.ParsePrevResult). */
class PrevResultTest {

    static NetConf conf(String version, String prev) {
        return NetConf.fromJson(("{\"cniVersion\":\"" + version + "\",\"name\":\"n\",\"type\":\"t\",\"prevResult\":" + prev + "}")
                .getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @CsvSource({"1.1.0, 1.0.0", "1.0.0, 1.1.0", "0.4.0, 0.3.0", "0.3.1, 0.4.0", "0.2.0, 0.1.0", "0.1.0, 0.2.0"})
    void prevResultOfTheSameFamilyParsesAndIsConvertedToCurrent(String confVersion, String prevVersion) {
        String ips = prevVersion.startsWith("0.1") || prevVersion.startsWith("0.2")
                ? "\"ip4\":{\"ip\":\"10.1.2.3/24\"}" : "\"ips\":[{\"address\":\"10.1.2.3/24\"}]";
        Result r = conf(confVersion, "{\"cniVersion\":\"" + prevVersion + "\"," + ips + "}").prevResult().orElseThrow();
        assertEquals(SpecVersions.CURRENT, r.cniVersion());
        assertEquals("10.1.2.3/24", r.ips().get(0).address().toString());
    }

    @Test
    void prevResultOfAnotherFamilyIsRejectedWithGoText() {
        CniException e = assertThrows(CniException.class,
                () -> conf("1.0.0", "{\"cniVersion\":\"0.2.0\",\"ip4\":{\"ip\":\"10.1.2.3/24\"}}").prevResult());
        assertEquals(ErrorCodes.DECODING_FAILURE, e.code());
        assertEquals("could not parse prevResult: result type supports [1.0.0 1.1.0] but unmarshalled CNIVersion is \"0.2.0\"", e.msg());
        e = assertThrows(CniException.class, () -> conf("0.2.0", "{\"cniVersion\":\"0.4.0\"}").prevResult());
        assertEquals("could not parse prevResult: result type supports [ 0.1.0 0.2.0] but unmarshalled CNIVersion is \"0.4.0\"", e.msg());
    }

    @Test
    void prevResultWithoutVersionTakesTheConfigVersion() {
        Result r = conf("0.4.0", "{\"ips\":[{\"version\":\"4\",\"address\":\"10.1.2.3/24\"}]}").prevResult().orElseThrow();
        assertEquals(1, r.ips().size());
    }

    @Test
    void unknownConfigVersionCannotParsePrevResult() {
        CniException e = assertThrows(CniException.class, () -> conf("9.9.9", "{}").prevResult());
        assertEquals("could not parse prevResult: unsupported CNI result version \"9.9.9\"", e.msg());
    }

    @Test
    void absentPrevResultIsEmpty() {
        assertTrue(NetConf.fromJson("{\"name\":\"n\"}".getBytes(StandardCharsets.UTF_8)).prevResult().isEmpty());
    }
}
