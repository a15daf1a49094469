package dev.jcni.sdk.version;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VersionTest {

    @ParameterizedTest
    @CsvSource({"'', 0.1.0", "1, 1.0.0", "0.4, 0.4.0", "1.1.0, 1.1.0", "+1.-2.3, 1.-2.3", "010.1.1, 10.1.1"})
    void parsesOneToThreeNumericParts(String in, String expected) {
        assertEquals(expected, Version.parse(in).toString());
    }

    @Test
    void emptyVersionIs010() {
        assertEquals(new Version(0, 1, 0), Version.parse(""));
    }

    @Test
    void parseErrorsHaveGoTexts() {
        assertEquals("invalid version \"1.2.3.4\": too many parts",
                assertThrows(IllegalArgumentException.class, () -> Version.parse("1.2.3.4")).getMessage());
        assertEquals("failed to convert major version part \"v1\": strconv.Atoi: parsing \"v1\": invalid syntax",
                assertThrows(IllegalArgumentException.class, () -> Version.parse("v1")).getMessage());
        assertEquals("failed to convert micro version part \"0-rc1\": strconv.Atoi: parsing \"0-rc1\": invalid syntax",
                assertThrows(IllegalArgumentException.class, () -> Version.parse("1.0.0-rc1")).getMessage());
        assertEquals("failed to convert minor version part \"\": strconv.Atoi: parsing \"\": invalid syntax",
                assertThrows(IllegalArgumentException.class, () -> Version.parse("0.")).getMessage());
        assertEquals("failed to convert major version part \"99999999999999999999\": strconv.Atoi: parsing \"99999999999999999999\": value out of range",
                assertThrows(IllegalArgumentException.class, () -> Version.parse("99999999999999999999")).getMessage());
    }

    @Test
    void comparesNumerically() {
        assertTrue(Version.greaterThan("0.10.0", "0.9.0"));
        assertTrue(Version.greaterThanOrEqualTo("1.1", "1.1.0"));
        assertFalse(Version.greaterThan("1.1", "1.1.0"));
        assertTrue(Version.greaterThan("0.2.0", ""));
        assertFalse(Version.greaterThan("", "0.1.0"));
    }

    @Test
    void supportedVersions() {
        assertEquals("1.1.0", SpecVersions.CURRENT);
        assertEquals(List.of("0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"), SpecVersions.ALL);
        assertTrue(SpecVersions.isSupported(""));
        assertFalse(SpecVersions.isSupported("1.1"));
    }

    @Test
    void negotiationPicksHighestNotAboveCurrent() {
        assertEquals("1.1.0", SpecVersions.negotiate("0.4.0", List.of("1.1.0", "1.0.0", "9.0.0")));
        assertEquals("0.4.0", SpecVersions.negotiate("0.4.0", List.of("9.0.0")));
        assertEquals("2.0.0", SpecVersions.negotiate("2.0.0", List.of("3.0.0")), "nothing qualifies: keep cniVersion");
        assertEquals("1.2.3", SpecVersions.negotiate("1.2.3"), "without cniVersions, verbatim");
        assertEquals("", SpecVersions.negotiate("", List.of()));
    }

    @Property
    void orderIsTotalAndConsistentWithText(@ForAll @IntRange(max = 20) int a, @ForAll @IntRange(max = 20) int b,
                                           @ForAll @IntRange(max = 20) int c, @ForAll @IntRange(max = 20) int d) {
        String x = a + "." + b + "." + c;
        String y = a + "." + d;
        assertEquals(Version.greaterThan(x, y), !Version.greaterThanOrEqualTo(y, x));
        assertEquals(x, Version.parse(x).toString());
    }
}
