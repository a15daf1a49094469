package dev.jcni.plugins.hostlocal;

import dev.jcni.plugins.PluginLock;
import dev.jcni.plugins.PluginVersion;
import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.PluginMain;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.types.Attachment;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.Dns;
import dev.jcni.sdk.types.ErrorCodes;
import dev.jcni.sdk.types.IpConfig;
import dev.jcni.sdk.types.NetConf;
import dev.jcni.sdk.types.Result;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The host-local IPAM plugin, a drop-in replacement for the Go {@code host-local} of
 * containernetworking/plugins: it allocates addresses from the configured ranges and records each
 * reservation as a file under {@code <dataDir>/<network>}, in the Go plugin's format, so that the two
 * can share a store. Beyond Go it implements GC (releases the reservations of attachments the
 * runtime no longer lists) and STATUS (the store is usable). docs/host-local.md describes every
 * field, the store and each difference from Go.
 *
 * <p>Run it as a CNI plugin: {@code java dev.jcni.plugins.hostlocal.HostLocal} with the
 * {@code CNI_*} environment and the configuration on stdin.
 */
public final class HostLocal implements Plugin {

    /** Creates the plugin; it holds no state between calls. */
    public HostLocal() {
    }

    /**
     * Runs one CNI command and exits.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        PluginMain.run(new HostLocal());
    }

    @Override
    public String about() {
        return PluginVersion.about("host-local");
    }

    @Override
    public Result add(Request request) {
        IpamConfig conf = IpamConfig.load(request.netConf(), request.rawCniArgs(), true);
        List<Optional<InetAddress>> requested = conf.requestedPerSet();
        Dns dns = Dns.EMPTY;
        if (conf.resolvConf().isPresent()) {
            Path file = conf.resolvConf().get();
            try {
                dns = ResolvConf.read(file);
            } catch (IOException e) {
                throw io(GoCompat.ioText("open", file, e), e);
            }
        }
        Store store;
        try {
            store = Store.create(conf.dataDir(), conf.name());
        } catch (IOException e) {
            throw io(GoCompat.ioText("mkdir", Store.directory(conf.dataDir(), conf.name()), e), e);
        }
        String id = request.containerId();
        String ifname = request.ifName();
        List<Allocator.Allocation> done = new ArrayList<>();
        for (int i = 0; i < conf.rangeSets().size(); i++) {
            try {
                done.add(Allocator.allocate(store, conf.rangeSets().get(i), i, id, ifname, requested.get(i)));
            } catch (CniException e) {
                Allocator.rollback(store, done, id, ifname);
                throw new CniException(e.code(), "failed to allocate for range " + i + ": " + e.msg(), e.details(), e);
            } catch (IOException e) {
                Allocator.rollback(store, done, id, ifname);
                throw io("failed to allocate for range " + i + ": " + GoCompat.reason(e) + " (in " + store.dir() + ")", e);
            } catch (RuntimeException e) {
                Allocator.rollback(store, done, id, ifname);
                throw e;
            }
        }
        List<IpConfig> ips = new ArrayList<>(); // a loop and an if, no lambdas: a cold call links each one
        for (Allocator.Allocation a : done) {
            ips.add(a.ipConfig());
        }
        if (request.logger().isLoggable(System.Logger.Level.DEBUG)) {
            request.logger().log(System.Logger.Level.DEBUG, "reserved " + ips + " for " + id + "/" + ifname);
        }
        return Result.empty().withIps(ips).withRoutes(conf.routes()).withDns(dns);
    }

    @Override
    public void del(Request request) {
        IpamConfig conf = IpamConfig.load(request.netConf(), request.rawCniArgs(), true);
        Optional<Store> store = existingStore(conf);
        if (store.isEmpty()) {
            return; // nothing was ever reserved on this network: DEL succeeds, and creates nothing
        }
        List<String> errors = new ArrayList<>();
        // one release per range set, as Go does: the first removes the (id, ifname) reservations, a
        // later one finding none removes legacy id-only ones
        for (int i = 0; i < conf.rangeSets().size(); i++) {
            try {
                errors.addAll(Allocator.release(store.get(), request.containerId(), request.ifName()));
            } catch (IOException e) {
                errors.add(GoCompat.ioText("release in", store.get().dir(), e));
            }
        }
        if (!errors.isEmpty()) {
            throw new CniException(ErrorCodes.IO_FAILURE, String.join(";", errors));
        }
    }

    @Override
    public void check(Request request) {
        IpamConfig conf = IpamConfig.load(request.netConf(), request.rawCniArgs(), true);
        Optional<Store> store = existingStore(conf);
        boolean found;
        try {
            found = store.isPresent() && Allocator.holdsAny(store.get(), request.containerId(), request.ifName());
        } catch (IOException e) {
            throw io(GoCompat.ioText("read", store.get().dir(), e), e);
        }
        if (!found) {
            throw new CniException(ErrorCodes.INTERNAL,
                    "host-local: Failed to find address added by container " + request.containerId());
        }
    }

    /**
     * GC: releases every reservation whose attachment is not in {@code cni.dev/valid-attachments}
     * (legacy id-only reservations: whose container has no valid attachment), and the temporary
     * files of jcni processes that died mid-reservation. Continues past failures and reports them all.
     */
    @Override
    @SuppressWarnings("try")
    public void gc(Request request) {
        IpamConfig conf = IpamConfig.load(request.netConf(), request.rawCniArgs(), false);
        Optional<Store> store = existingStore(conf);
        if (store.isEmpty()) {
            return;
        }
        List<Attachment> valid = validAttachments(request.netConf());
        Set<String> validKeys = new HashSet<>();
        Set<String> validIds = new HashSet<>();
        for (Attachment a : valid) {
            validKeys.add(Store.keyFor(a.containerId(), a.ifname()));
            validIds.add(GoCompat.trimSpace(a.containerId()));
        }
        List<String> errors = new ArrayList<>();
        int released = 0;
        try (PluginLock lock = store.get().lock()) {
            for (Store.Reservation r : store.get().reservations()) {
                String key = r.key();
                boolean keep = key.contains(Store.LINE_BREAK) ? validKeys.contains(key) : validIds.contains(key);
                if (!keep) {
                    try {
                        store.get().delete(r.file());
                        released++;
                    } catch (IOException e) {
                        errors.add(GoCompat.ioText("remove", r.file(), e));
                    }
                }
            }
            for (Path temp : store.get().leftoverTempFiles()) {
                try {
                    store.get().delete(temp);
                } catch (IOException e) {
                    errors.add(GoCompat.ioText("remove", temp, e));
                }
            }
        } catch (IOException e) {
            errors.add(GoCompat.ioText("gc", store.get().dir(), e));
        }
        int count = released;
        request.logger().log(System.Logger.Level.DEBUG, () -> "gc released " + count + " reservation(s)");
        if (!errors.isEmpty()) {
            throw new CniException(ErrorCodes.IO_FAILURE, "host-local GC: " + String.join("; ", errors));
        }
    }

    /**
     * STATUS: ready when the configuration is valid and the store directory is usable: it exists as a
     * writable directory (with a writable {@code lock} file, if any), or can be created. Creates nothing.
     */
    @Override
    public void status(Request request) {
        IpamConfig conf = IpamConfig.load(request.netConf(), request.rawCniArgs(), false);
        Path dir = Store.directory(conf.dataDir(), conf.name());
        storeProblem(dir).ifPresent(why -> {
            throw new CniException(ErrorCodes.PLUGIN_NOT_AVAILABLE, "host-local store " + dir + " is not usable: " + why);
        });
    }

    static Optional<String> storeProblem(Path dir) {
        if (Files.exists(dir)) {
            if (!Files.isDirectory(dir)) {
                return Optional.of("not a directory");
            }
            if (!Files.isWritable(dir) || !Files.isExecutable(dir)) {
                return Optional.of("directory not writable");
            }
            Path lock = dir.resolve(Store.LOCK_FILE);
            if (Files.exists(lock) && (!Files.isReadable(lock) || !Files.isWritable(lock))) {
                return Optional.of("lock file " + lock + " not readable and writable");
            }
            return Optional.empty();
        }
        Path ancestor = dir.toAbsolutePath().getParent();
        while (ancestor != null && !Files.exists(ancestor)) {
            ancestor = ancestor.getParent();
        }
        if (ancestor == null) {
            return Optional.of("no existing parent directory");
        }
        if (!Files.isDirectory(ancestor)) {
            return Optional.of(ancestor + " is not a directory");
        }
        if (!Files.isWritable(ancestor) || !Files.isExecutable(ancestor)) {
            return Optional.of("cannot be created: " + ancestor + " is not writable");
        }
        return Optional.empty();
    }

    /**
     * The valid attachments; the pre-#1101 key {@code cni.dev/attachments} when only it is present.
     * Absent or null means none is valid (Go's libcni sends null for an empty list).
     */
    private static List<Attachment> validAttachments(NetConf conf) {
        if (conf.hasValidAttachments()) {
            return conf.validAttachments();
        }
        return conf.get(NetConf.LEGACY_ATTACHMENTS)
                .map(v -> NetConf.of(Map.of(NetConf.VALID_ATTACHMENTS, v)).validAttachments())
                .orElse(List.of());
    }

    private static Optional<Store> existingStore(IpamConfig conf) {
        try {
            return Store.existing(conf.dataDir(), conf.name());
        } catch (IOException e) {
            throw io(GoCompat.ioText("open", Store.directory(conf.dataDir(), conf.name()), e), e);
        }
    }

    private static CniException io(String msg, IOException cause) {
        return new CniException(ErrorCodes.IO_FAILURE, msg, "", cause);
    }
}
