package dev.jcni.plugins.portmap;

import dev.jcni.plugins.PluginVersion;
import dev.jcni.plugins.ip.Rollback;
import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.PluginMain;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.types.Attachment;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import dev.jcni.sdk.types.IpPrefix;
import dev.jcni.sdk.types.Result;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The portmap plugin: forwards host ports to a container ({@code runtimeConfig.portMappings}, the
 * {@code portMappings} capability), as a chained plugin after one that gave the container its
 * addresses. A drop-in replacement for Go's {@code portmap}: same configuration, same firewall
 * state (iptables chain and rule names, nftables tables, chains and comments), so that either
 * implementation tears down what the other set up. See docs/portmap.md.
 */
public final class Portmap implements Plugin {
    private static final String PARSE_PREFIX = "failed to parse config: ";

    private final PortmapConfig.BackendProbe probe;
    private final Consumer<String> faults;

    /** The plugin, probing this machine's firewall tools when the configuration names no backend. */
    public Portmap() {
        this(PortmapConfig.BackendProbe.system());
    }

    Portmap(PortmapConfig.BackendProbe probe) {
        this(probe, Rollback.NO_FAULTS);
    }

    /**
     * @param probe the backend probe
     * @param faults failure injection for tests: called after each family's forwarding is set up
     *     ({@code forwarded-v4}, {@code forwarded-v6}; see {@link Rollback#step})
     */
    Portmap(PortmapConfig.BackendProbe probe, Consumer<String> faults) {
        this.probe = probe;
        this.faults = faults;
    }

    /**
     * @param args ignored
     */
    public static void main(String[] args) {
        PluginMain.run(new Portmap());
    }

    @Override
    public String about() {
        return PluginVersion.about("portmap");
    }

    /** A parsed call: the configuration and, when asked for, the previous result. */
    private record Parsed(PortmapConfig config, Optional<Result> prevResult) {
    }

    private Parsed parse(Request request, boolean withPrevResult, String errorPrefix) {
        List<Optional<Result>> prev = new ArrayList<>(List.of(Optional.empty()));
        try {
            PortmapConfig config = PortmapConfig.parse(request.stdin(), request.netConf().name(), probe, () -> {
                if (withPrevResult) {
                    prev.set(0, request.prevResult());
                }
            });
            return new Parsed(config, prev.get(0));
        } catch (CniException e) {
            throw new CniException(e.code(), errorPrefix + e.msg(), e.details());
        }
    }

    private static PortMapper mapper(PortmapConfig config, Request request) {
        return config.backend() == PortmapConfig.Backend.NFTABLES ? new NftPortMapper() : new IptablesPortMapper(request.logger());
    }

    @Override
    public Result add(Request request) {
        Parsed p = parse(request, true, PARSE_PREFIX);
        Result prev = p.prevResult().orElseThrow(
                () -> new CniException(ErrorCodes.INVALID_NETWORK_CONFIG, "must be called as chained plugin"));
        PortmapConfig config = p.config();
        if (config.mappings().isEmpty()) {
            return prev;
        }
        ContainerAddresses addrs = ContainerAddresses.of(prev, request.ifName());
        // the route lookup for route_localnet loads the native netlink binding (about 150 ms): it runs
        // on another thread while the firewall tools run on this one (the routes do not depend on them)
        CompletableFuture<Optional<String>> localnetIf = addrs.v4().isPresent() && config.snat()
                ? CompletableFuture.supplyAsync(() -> HostNetwork.routableInterface(addrs.v4().get().address()), Portmap::daemon)
                : null;
        PortMapper mapper = mapper(config, request);
        Set<Integer> udp = HostNetwork.udpHostPorts(config);
        // a failure midway leaves nothing: the container's forwarding (both families, as DEL removes
        // it) is undone; the shared chains stay, as DEL keeps them, and so does route_localnet on the
        // host interface (shared with the other containers behind it)
        return Rollback.run(request.logger(), faults, rollback -> {
            rollback.made("the port forwarding of container " + request.containerId(),
                    () -> mapper.unforward(config, request.containerId()));
            for (IpPrefix container : addrs.all()) {
                boolean v6 = !container.isIpv4();
                mapper.forward(config, request.containerId(), container);
                rollback.step(v6 ? "forwarded-v6" : "forwarded-v4");
                // after the rules are in place, so that new datagrams meet them
                flushConntrack(request, v6, udp, "stale");
                if (localnetIf != null && !v6) {
                    localnetIf.join().ifPresent(ifName -> {
                        try {
                            HostNetwork.enableRouteLocalnet(ifName);
                        } catch (RuntimeException e) {
                            throw new CniException(ErrorCodes.INTERNAL, "unable to enable route_localnet: " + e.getMessage());
                        }
                    });
                }
            }
            return prev;
        });
    }

    private static void daemon(Runnable r) {
        Thread t = new Thread(r, "portmap-route-lookup");
        t.setDaemon(true);
        t.start();
    }

    private static void flushConntrack(Request request, boolean v6, Collection<Integer> ports, String what) {
        if (ports.isEmpty()) {
            return;
        }
        try {
            HostNetwork.flushUdp(v6, ports);
        } catch (RuntimeException e) {
            request.logger().log(Level.WARNING, "failed to delete " + what + " UDP conntrack entries (" + (v6 ? "IPv6" : "IPv4")
                    + ") for host ports " + ports + ": " + e.getMessage());
        }
    }

    @Override
    public void check(Request request) {
        Parsed p = parse(request, true, "");
        Result prev = p.prevResult().orElseThrow(
                () -> new CniException(ErrorCodes.INVALID_NETWORK_CONFIG, "Required prevResult missing"));
        PortmapConfig config = p.config();
        if (config.mappings().isEmpty()) {
            return;
        }
        PortMapper mapper = mapper(config, request);
        for (IpPrefix container : ContainerAddresses.of(prev, request.ifName()).all()) {
            mapper.check(config, request.containerId(), container);
        }
    }

    @Override
    public void del(Request request) {
        // prevResult is not needed (and not parsed: a damaged one must not make DEL fail forever)
        PortmapConfig config = parse(request, false, PARSE_PREFIX).config();
        if (config.mappings().isEmpty()) {
            return;
        }
        mapper(config, request).unforward(config, request.containerId());
        // beyond Go (containernetworking/plugins#1277): without the rules, a stale UDP entry would
        // keep sending a client's datagrams to the removed container
        Set<Integer> udp = HostNetwork.udpHostPorts(config);
        flushConntrack(request, false, udp, "removed");
        flushConntrack(request, true, udp, "removed");
    }

    /**
     * GC (Go's plugin has none): removes the port forwarding of the network's containers that have no
     * valid attachment. iptables rules name the network, so they are removed in any case; nftables
     * rules carry only the container id, so they are removed only when this network uses nftables.
     */
    @Override
    public void gc(Request request) {
        PortmapConfig config = parse(request, false, "").config();
        Set<String> valid = new HashSet<>();
        for (Attachment a : request.netConf().validAttachments()) {
            valid.add(a.containerId());
        }
        List<PortMapper> mappers = new ArrayList<>();
        mappers.add(new IptablesPortMapper(request.logger()));
        if (config.backend() == PortmapConfig.Backend.NFTABLES) {
            mappers.add(new NftPortMapper());
        }
        List<String> errors = new ArrayList<>();
        Set<Integer> udp = new HashSet<>();
        for (PortMapper m : mappers) {
            try {
                udp.addAll(m.gc(config.network(), valid));
            } catch (CniException e) {
                errors.add(e.msg());
            }
        }
        flushConntrack(request, false, udp, "removed");
        flushConntrack(request, true, udp, "removed");
        if (!errors.isEmpty()) {
            throw new CniException(ErrorCodes.INTERNAL, String.join("; ", errors));
        }
    }
}
