package dev.jcni.plugins.firewallplugin;

import dev.jcni.plugins.firewall.Exec;
import dev.jcni.plugins.ip.Errors;
import dev.jcni.plugins.ip.Rollback;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.IpConfig;
import dev.jcni.sdk.types.Result;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The firewalld backend: each container address ({@code /32}, {@code /128}) becomes a source of the
 * zone ({@code firewalldZone}, {@code trusted} by default), through firewalld's D-Bus interface
 * {@code org.fedoraproject.FirewallD1.zone} ({@code addSource}, {@code removeSource},
 * {@code querySource}) as Go does. Go speaks D-Bus itself; jcni sends the calls with {@code dbus-send}
 * (package dbus, which firewalld needs anyway), found in the call's {@code PATH} or the usual
 * directories. Without {@code dbus-send}, firewalld counts as not running.
 */
final class Firewalld implements Backend {
    static final String NAME = "org.fedoraproject.FirewallD1";
    static final String PATH = "/org/fedoraproject/FirewallD1";
    static final String ZONE_INTERFACE = NAME + ".zone";
    static final String ZONE_ALREADY_SET = "ZONE_ALREADY_SET";

    private final Path dbusSend;

    private Firewalld(Path dbusSend) {
        this.dbusSend = dbusSend;
    }

    /** @return the backend, when {@code dbus-send} is installed */
    static Optional<Firewalld> find() {
        return Exec.find("dbus-send").map(Firewalld::new);
    }

    /**
     * Go's {@code isFirewalldRunning}: the system bus knows an owner of firewalld's name.
     *
     * @return true when firewalld runs
     */
    static boolean running() {
        Optional<Firewalld> f = find();
        if (f.isEmpty()) {
            return false;
        }
        try {
            return f.get().call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus.GetNameOwner",
                    List.of("string:" + NAME)).ok();
        } catch (IOException e) {
            return false;
        }
    }

    /** Go's {@code ipString}: the address as a host prefix. */
    static String source(IpConfig ip) {
        return Ip.format(ip.address().address()) + (ip.isIpv4() ? "/32" : "/128");
    }

    private Exec.Result call(String dest, String path, String method, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(dbusSend.toString(), "--system", "--print-reply", "--reply-timeout=25000",
                "--dest=" + dest, path, method));
        cmd.addAll(args);
        return Exec.run(null, cmd);
    }

    private Exec.Result zoneCall(String method, String zone, String source) {
        try {
            return call(NAME, PATH, ZONE_INTERFACE + "." + method, List.of("string:" + zone, "string:" + source));
        } catch (IOException e) {
            return new Exec.Result(-1, "", e.getMessage());
        }
    }

    @Override
    public void add(FirewallConfig conf, Result prev, Rollback rollback) {
        rollback.made("the firewalld sources of the container", () -> del(conf, prev));
        for (IpConfig ip : prev.ips()) {
            String src = source(ip);
            Exec.Result r = zoneCall("addSource", conf.zone(), src);
            if (!r.ok() && !r.stderr().contains(ZONE_ALREADY_SET)) {
                throw Errors.internal("failed to add the address " + src + " to " + conf.zone() + " zone: " + r.stderr().trim());
            }
        }
    }

    /** As Go: every address is removed from the zone, and what fails (already removed) is ignored. */
    @Override
    public void del(FirewallConfig conf, Result prev) {
        for (IpConfig ip : prev.ips()) {
            zoneCall("removeSource", conf.zone(), source(ip));
        }
    }

    /** Beyond Go (which only sees whether the call failed): the answer must be {@code true}. */
    @Override
    public void check(FirewallConfig conf, Result prev) {
        for (IpConfig ip : prev.ips()) {
            String src = source(ip);
            Exec.Result r = zoneCall("querySource", conf.zone(), src);
            if (!r.ok() || !r.stdout().contains("boolean true")) {
                throw Errors.internal("failed to find the address " + src + " in " + conf.zone() + " zone");
            }
        }
    }
}
