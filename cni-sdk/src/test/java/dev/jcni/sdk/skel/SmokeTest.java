package dev.jcni.sdk.skel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jcni.sdk.testing.PluginHarness;
import dev.jcni.sdk.types.*;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmokeTest {
    static final class P implements Plugin {
        @Override
        public Result add(Request r) {
            return Result.empty().withIps(List.of(IpConfig.of(IpPrefix.parse("10.1.2.3/24"), Ip.parse("10.1.2.1"))));
        }

        @Override
        public void check(Request r) {
        }

        @Override
        public void del(Request r) {
        }
    }

    @Test
    void addPrintsResultInConfigVersion() {
        var out = PluginHarness.of(new P()).containerId("c1").netns("/run/netns/none").ifName("eth0")
                .add("{\"cniVersion\":\"0.2.0\",\"name\":\"n\",\"type\":\"p\"}");
        System.out.println(out);
        assertEquals(0, out.exitCode());
        assertEquals("0.2.0", out.result().cniVersion());
    }
}
