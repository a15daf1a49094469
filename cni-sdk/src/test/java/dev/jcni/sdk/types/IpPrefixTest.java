package dev.jcni.sdk.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ArbitrarySupplier;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IpPrefixTest {

    @Test
    void prefixKeepsHostBits() {
        IpPrefix p = IpPrefix.parse("10.1.2.3/24");
        assertEquals("10.1.2.3/24", p.toString());
        assertEquals("10.1.2.0/24", p.network().toString());
        assertEquals("10.1.2.255", Ip.format(p.lastAddress()));
        assertEquals("255.255.255.0", Ip.format(p.netmask()));
        assertTrue(p.contains(Ip.parse("10.1.2.200")));
        assertFalse(p.contains(Ip.parse("10.1.3.1")));
        assertFalse(p.contains(Ip.parse("::1")));
    }

    @Test
    void ipv6Prefix() {
        IpPrefix p = IpPrefix.parse("2001:db8::5/64");
        assertEquals("2001:db8::/64", p.network().toString());
        assertEquals("2001:db8::ffff:ffff:ffff:ffff", Ip.format(p.lastAddress()));
        assertEquals(128, p.bits());
        assertFalse(p.isIpv4());
    }

    @Test
    void ipv6NetworksStayIpv6EvenWhenTheyLookIpv4Mapped() {
        IpPrefix p = IpPrefix.parse("::1:2:3/80");
        assertFalse(Ip.isIpv4(p.lastAddress()));
        assertTrue(p.contains(p.lastAddress()));
        assertTrue(p.contains(p.network().address()));
        assertFalse(Ip.isIpv4(p.netmask()));
    }

    @Test
    void overlaps() {
        assertTrue(IpPrefix.parse("10.0.0.0/8").overlaps(IpPrefix.parse("10.1.0.0/16")));
        assertTrue(IpPrefix.parse("10.1.0.0/16").overlaps(IpPrefix.parse("10.0.0.0/8")));
        assertFalse(IpPrefix.parse("10.1.0.0/16").overlaps(IpPrefix.parse("10.2.0.0/16")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.1.2.3", "10.1.2.3/", "10.1.2.3/33", "10.1.2.3/-1", "10.1.2.3/+4", "10.1.2.3/024",
        "::/129", "x/8", "10.1.2.3/8/8", ""})
    void invalidCidrAddress(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse(text));
        assertEquals("invalid CIDR address: " + text, e.getMessage());
    }

    @Property
    void toStringThenParseIsIdentity(@ForAll @From(supplier = Prefixes.class) IpPrefix p) {
        assertEquals(p, IpPrefix.parse(p.toString()));
    }

    @Property
    void networkContainsAddressAndIsIdempotent(@ForAll @From(supplier = Prefixes.class) IpPrefix p) {
        assertTrue(p.network().contains(p.address()));
        assertTrue(p.contains(p.lastAddress()));
        assertEquals(p.network(), p.network().network());
    }

    /** Supplies arbitrary prefixes. */
    public static final class Prefixes implements ArbitrarySupplier<IpPrefix> {
        @Override
        public Arbitrary<IpPrefix> get() {
            return CniArbitraries.prefixes();
        }
    }
}
