package dev.jcni.plugins.reliability;

import dev.jcni.plugins.Dist;
import dev.jcni.plugins.firewall.Names;
import dev.jcni.plugins.ip.Fixture;
import dev.jcni.plugins.portmap.PortmapTraces;
import dev.jcni.sdk.internal.CallContext;
import dev.jcni.sdk.runtime.CniConfig;
import dev.jcni.sdk.runtime.RuntimeConf;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.TestNetns;
import dev.jcni.sdk.types.Attachment;
import dev.jcni.sdk.types.NetConfList;
import dev.jcni.sdk.types.Result;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A network of the packaged plugins run by jcni's runtime side ({@link CniConfig}, as containerd or
 * CRI-O run a configuration list), in a {@link Fixture}'s names: a list of bridge or ptp (with
 * host-local, masquerading, and for bridge the spoof check) and portmap, its own result cache
 * directory, and {@link #leftovers} listing everything of an attachment that is still there.
 *
 * <p>Plugins are exec'd (a timeout is set, so nothing runs in-process), cold or warm as {@link Calls}
 * says. {@code host-local} can be made a process of its own ({@link #execHostLocal}) instead of running
 * inside its caller's JVM.
 */
final class Network implements AutoCloseable {
    final Fixture f = new Fixture();
    final Path cacheDir;
    final Path binDir;
    final NetConfList list;
    final Runner cni;
    private final Runnable restoreShared = PortmapTraces.captureShared();
    private final List<String> containers = new ArrayList<>();

    /** The main plugin of the list. */
    enum Main { BRIDGE, PTP }

    /**
     * @param main bridge or ptp
     * @param execHostLocal true: {@code CNI_PATH} holds a host-local that is a wrapper script, so the
     *     main plugin execs it as a process (a launcher of its own distribution would run in-process)
     */
    Network(Main main, boolean execHostLocal) {
        this(main, execHostLocal, Calls.WARM);
    }

    /**
     * @param main bridge or ptp
     * @param execHostLocal as above
     * @param warm false: every plugin gets {@code JCNI_WARM=off} (a cold exec, whatever daemon runs);
     *     true: {@code JCNI_WARM=on}, the distribution's daemon serves the calls
     */
    Network(Main main, boolean execHostLocal, boolean warm) {
        try {
            cacheDir = Files.createTempDirectory("jcni-rel-cache");
            binDir = execHostLocal ? wrapperBin() : Dist.bin();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String first = main == Main.BRIDGE
                ? "{\"type\":\"bridge\",\"bridge\":\"" + f.bridge + "\",\"isGateway\":true,\"ipMasq\":true,\"ipMasqBackend\":\"iptables\","
                        + "\"macspoofchk\":true,\"ipam\":" + f.ipam4() + "}"
                : "{\"type\":\"ptp\",\"ipMasq\":true,\"ipMasqBackend\":\"nftables\",\"ipam\":" + f.ipam4() + "}";
        // portmap with iptables: its GC is scoped to the network (nftables rules carry only the container id)
        String json = "{\"cniVersion\":\"1.1.0\",\"name\":\"" + f.net + "\",\"plugins\":[" + first + ","
                + "{\"type\":\"portmap\",\"backend\":\"iptables\",\"capabilities\":{\"portMappings\":true}}]}";
        list = NetConfList.fromJson(json.getBytes(StandardCharsets.UTF_8));
        cni = new Runner(CniConfig.create(List.of(binDir.toString())).withCacheDir(cacheDir).withTimeout(Duration.ofMinutes(5)),
                Calls.env(System.getenv(), warm));
    }

    /**
     * jcni's runtime side as the tests use it: each call runs with this JVM's environment and an
     * explicit {@code JCNI_WARM} (the plugins it execs inherit it), so that a daemon someone left running
     * cannot turn a cold test warm, nor a missing one a warm test cold.
     */
    static final class Runner {
        private final CniConfig config;
        private final Map<String, String> env;

        Runner(CniConfig config, Map<String, String> env) {
            this.config = config;
            this.env = Map.copyOf(env);
        }

        private <T> T call(java.util.function.Supplier<T> body) {
            return CallContext.withEnv(env, body);
        }

        Result addNetworkList(NetConfList l, RuntimeConf rt) {
            return call(() -> config.addNetworkList(l, rt));
        }

        void checkNetworkList(NetConfList l, RuntimeConf rt) {
            call(() -> {
                config.checkNetworkList(l, rt);
                return null;
            });
        }

        void delNetworkList(NetConfList l, RuntimeConf rt) {
            call(() -> {
                config.delNetworkList(l, rt);
                return null;
            });
        }

        void gcNetworkList(NetConfList l, List<Attachment> valid) {
            call(() -> {
                config.gcNetworkList(l, valid);
                return null;
            });
        }

        Optional<Result> getNetworkListCachedResult(NetConfList l, RuntimeConf rt) {
            return call(() -> config.getNetworkListCachedResult(l, rt));
        }
    }

    /** A bin directory whose host-local is {@code exec <dist>/bin/host-local}, the others links to the launchers. */
    private Path wrapperBin() throws IOException {
        Path dir = Files.createTempDirectory("jcni-rel-bin");
        for (String p : List.of("bridge", "ptp", "portmap")) {
            Files.createSymbolicLink(dir.resolve(p), Dist.exe(p));
        }
        Path hl = dir.resolve("host-local");
        Files.writeString(hl, "#!/bin/sh\nexec " + Dist.exe("host-local") + " \"$@\"\n");
        Files.setPosixFilePermissions(hl, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir;
    }

    /** @return a new namespace of the fixture */
    TestNetns netns() {
        return f.netns();
    }

    /**
     * The attachment of a namespace, as the jcni CLI and cnitool name it, with a port mapping; recorded
     * for the clean-up.
     *
     * @param ns the namespace
     * @return the runtime configuration
     */
    RuntimeConf attachment(TestNetns ns) {
        String cid = Kernel.uniqueName("jrel-") + Kernel.uniqueName("");
        f.env(cid, ns, "eth0");
        containers.add(cid);
        int port = 20000 + Math.floorMod(cid.hashCode(), 9000);
        return RuntimeConf.of(cid, ns.path().toString(), "eth0").withCapabilityArgs(
                Map.of("portMappings", List.of(Map.of("hostPort", port, "containerPort", 80, "protocol", "tcp"))));
    }

    /**
     * Everything of an attachment still there: what {@link Fixture#leftovers} finds (container links,
     * bridge ports, host addresses and routes, masquerading and spoof-check rules, reservations), the
     * masquerading chain by its name (an empty chain has no comment to find it by), the portmap chains
     * and rules, the store's temporary files and the result cache entries.
     *
     * @param ns the namespace
     * @param rt the attachment
     * @return one line per thing left
     */
    List<String> leftovers(TestNetns ns, RuntimeConf rt) {
        List<String> out = new ArrayList<>(f.leftovers(ns));
        String chain = Names.chainName(f.net, rt.containerId());
        for (String cmd : List.of("iptables", "ip6tables")) {
            for (String l : Kernel.exec(cmd, "-w", "-t", "nat", "-S").ok().lines().toList()) {
                if (l.contains(chain)) {
                    out.add(cmd + ": " + l);
                }
            }
        }
        PortmapTraces.of(f.net, rt.containerId()).forEach(l -> out.add("portmap: " + l));
        Store.temporaryFiles(f.dataDir.resolve(f.net)).forEach(t -> out.add("store temporary file: " + t));
        Store.files(cacheDir.resolve("results")).forEach(c -> out.add("cache entry: " + c));
        return out;
    }

    @Override
    public void close() {
        for (String cid : containers) {
            PortmapTraces.remove(f.net, cid);
        }
        f.close();
        restoreShared.run();
        delete(cacheDir);
        if (!binDir.equals(Dist.bin())) {
            delete(binDir);
        }
    }

    private static void delete(Path p) {
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }
}
