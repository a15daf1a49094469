package dev.jcni.plugins.staticipam;

import dev.jcni.plugins.PluginVersion;
import dev.jcni.plugins.ip.Errors;
import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.PluginMain;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.IpConfig;
import dev.jcni.sdk.types.Result;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The static IPAM plugin: hands out the addresses it is given (configuration, {@code CNI_ARGS},
 * {@code args}, the {@code ips} capability; see {@link StaticConfig}) with the configured routes and
 * DNS. It reserves nothing, so DEL has nothing to release. Drop-in for Go's {@code static}
 * (containernetworking/plugins HEAD behaviour); differences in docs/static.md.
 */
public final class StaticIpam implements Plugin {

    /** Public no-arg constructor for the launcher and the training run. */
    public StaticIpam() {
    }

    /** @param args ignored */
    public static void main(String[] args) {
        PluginMain.run(new StaticIpam());
    }

    @Override
    public String about() {
        return PluginVersion.about("static");
    }

    /** ADD: the addresses (no interface index: the calling plugin sets it), routes and DNS. */
    @Override
    public Result add(Request request) {
        StaticConfig conf = StaticConfig.load(request.netConf(), request.cniArgs());
        List<IpConfig> ips = new ArrayList<>();
        for (StaticConfig.StaticAddress a : conf.addresses()) {
            IpConfig ip = IpConfig.of(a.address());
            ips.add(a.gateway().map(ip::withGateway).orElse(ip));
        }
        return Result.empty().withIps(ips).withRoutes(conf.routes()).withDns(conf.dns());
    }

    /**
     * CHECK: every configured address is in the {@code prevResult}, with the configured gateway when
     * one is configured. (Go lets an address that is missing from the {@code prevResult} pass.)
     */
    @Override
    public void check(Request request) {
        StaticConfig conf = StaticConfig.load(request.netConf(), request.cniArgs());
        if (!request.netConf().hasPrevResult()) {
            throw Errors.internal("Required prevResult missing");
        }
        Result prev = request.prevResult().orElseThrow();
        for (StaticConfig.StaticAddress a : conf.addresses()) {
            Optional<IpConfig> found = prev.ips().stream().filter(i -> i.address().address().equals(a.address().address())).findFirst();
            if (found.isEmpty()) {
                throw Errors.internal("static: Failed to find addr " + Ip.format(a.address().address()) + " in prevResult");
            }
            if (a.gateway().isPresent() && !a.gateway().equals(found.get().gateway())) {
                throw Errors.internal("static: Failed to match addr " + Ip.format(a.address().address())
                        + " on interface " + request.ifName());
            }
        }
    }

    /** DEL: nothing was reserved, nothing is read: always succeeds. */
    @Override
    public void del(Request request) {
    }
}
