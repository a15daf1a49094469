package dev.jcni.sdk.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MacAddressTest {

    @ParameterizedTest
    @CsvSource({
        "00:00:5e:00:53:01, 00:00:5e:00:53:01",
        "02:00:5E:10:00:00:00:01, 02:00:5e:10:00:00:00:01",
        "00-00-5e-00-53-01, 00:00:5e:00:53:01",
        "0000.5e00.5301, 00:00:5e:00:53:01",
        "00:00:00:00:fe:80:00:00:00:00:00:00:02:00:5e:10:00:00:00:01, 00:00:00:00:fe:80:00:00:00:00:00:00:02:00:5e:10:00:00:00:01",
    })
    void parsesGoFormats(String in, String expected) {
        assertEquals(expected, MacAddress.parse(in).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "00:00:5e:00:53", "00:00:5e:00:53:0g", "00:00-5e:00:53:01", "0000.5e00.53", "00:00:5e:00:53:01:",
        "000:00:5e:00:53:01"})
    void rejectsWithGoMessage(String in) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(in));
        assertEquals("address " + in + ": invalid MAC address", e.getMessage());
    }

    @Property
    void roundTrip(@ForAll @Size(6) byte[] bytes) {
        MacAddress m = MacAddress.of(bytes);
        assertEquals(m, MacAddress.parse(m.toString()));
    }
}
