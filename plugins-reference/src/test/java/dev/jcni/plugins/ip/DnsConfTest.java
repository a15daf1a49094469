package dev.jcni.plugins.ip;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.types.NetConf;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Go's {@code dnsConfSet}: when the configuration's dns replaces IPAM's. */
class DnsConfTest {
    static boolean set(String dns) {
        return DnsConf.isSet(NetConf.fromJson(("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\"" + (dns == null ? "" : ",\"dns\":" + dns)
                + "}").getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void anyListGivenEvenEmptyOrANonEmptyDomain() {
        assertTrue(set("{\"nameservers\":[\"10.0.0.1\"]}"));
        assertTrue(set("{\"search\":[]}"), "an empty list is not nil in Go");
        assertTrue(set("{\"options\":[\"ndots:5\"]}"));
        assertTrue(set("{\"domain\":\"x\"}"));
    }

    @Test
    void absentNullOrEmpty() {
        assertFalse(set(null));
        assertFalse(set("{}"));
        assertFalse(set("{\"domain\":\"\"}"));
        assertFalse(set("{\"nameservers\":null}"));
    }
}
