package dev.jcni.sdk.testing;

import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import dev.jcni.sdk.types.Interface;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.IpConfig;
import dev.jcni.sdk.types.IpPrefix;
import dev.jcni.sdk.types.Result;
import dev.jcni.sdk.types.Route;
import java.util.ArrayList;
import java.util.List;

/** A plugin for the skel's tests: records every call and answers with a fixed result. */
class SamplePlugin implements Plugin {
    final List<Request> calls = new ArrayList<>();
    RuntimeException failWith;

    static final Result FIXED = Result.empty()
            .withInterfaces(List.of(Interface.container("eth0", "0a:58:0a:01:02:03", "/run/netns/x")))
            .withIps(List.of(IpConfig.of(IpPrefix.parse("10.1.2.3/24"), Ip.parse("10.1.2.1")).withInterface(0),
                    IpConfig.of(IpPrefix.parse("2001:db8::3/64"), Ip.parse("2001:db8::1")).withInterface(0)))
            .withRoutes(List.of(Route.of(IpPrefix.parse("0.0.0.0/0"), Ip.parse("10.1.2.1"))));

    private void record(Request r) {
        calls.add(r);
        if (failWith != null) {
            throw failWith;
        }
    }

    @Override
    public Result add(Request r) {
        record(r);
        System.out.println("stray output from plugin code");
        return FIXED;
    }

    @Override
    public void check(Request r) {
        record(r);
    }

    @Override
    public void del(Request r) {
        record(r);
    }

    @Override
    public void gc(Request r) {
        record(r);
    }

    @Override
    public void status(Request r) {
        record(r);
        if (r.netConf().get("notReady").isPresent()) {
            throw new CniException(ErrorCodes.PLUGIN_NOT_AVAILABLE, "not ready");
        }
    }

    @Override
    public String about() {
        return "CNI sample plugin v0";
    }
}
