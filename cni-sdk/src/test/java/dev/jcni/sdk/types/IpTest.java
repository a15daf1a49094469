package dev.jcni.sdk.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpTest {

    @ParameterizedTest
    @CsvSource({
        "10.1.2.3, 10.1.2.3",
        "0.0.0.0, 0.0.0.0",
        "255.255.255.255, 255.255.255.255",
        "::, ::",
        "::1, ::1",
        "2001:db8::1, 2001:db8::1",
        "2001:DB8:0:0:0:0:0:1, 2001:db8::1",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
        "fe80:0:0:0:0:0:0:0, fe80::",
        "1:0:2:3:4:5:6:7, 1:0:2:3:4:5:6:7",
        "::ffff:10.1.2.3, 10.1.2.3",
        "::10.1.2.3, ::a01:203",
    })
    void parseAndFormatLikeGo(String in, String expected) {
        assertEquals(expected, Ip.format(Ip.parse(in)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.-4", "a.b.c.d", "localhost",
        "::1::", "1::2::3", "12345::", ":1:2", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::8", "1.2.3.4/24", " 1.2.3.4",
        "fe80::1%eth0", "::ffff:1.2.3"})
    void parseRejectsWhatGoRejects(String in) {
        assertTrue(Ip.tryParse(in).isEmpty(), in);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ip.parse(in));
        assertEquals("invalid IP address: " + in, e.getMessage());
    }

    @Test
    void parseNeverLooksUpNames() {
        assertTrue(Ip.tryParse("example.com").isEmpty());
    }

    @Property
    void formatThenParseIsIdentity(@ForAll @From(supplier = IpArbitrary.class) InetAddress ip) {
        assertEquals(ip, Ip.parse(Ip.format(ip)));
    }

    @Property
    void formatAgreesWithJavaOnValue(@ForAll @From(supplier = IpArbitrary.class) InetAddress ip) throws Exception {
        assertEquals(ip, InetAddress.getByName(Ip.format(ip)));
    }

    /** Supplies arbitrary addresses. */
    public static final class IpArbitrary implements net.jqwik.api.ArbitrarySupplier<InetAddress> {
        @Override
        public net.jqwik.api.Arbitrary<InetAddress> get() {
            return CniArbitraries.ips();
        }
    }
}
