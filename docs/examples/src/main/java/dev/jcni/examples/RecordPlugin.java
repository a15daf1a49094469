package dev.jcni.examples;

import dev.jcni.sdk.invoke.Invoke;
import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.PluginMain;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.types.Attachment;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import dev.jcni.sdk.types.Ipam;
import dev.jcni.sdk.types.Result;
import dev.jcni.sdk.version.PluginInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Every verb of the spec in one plugin: it gets its addresses from an IPAM plugin (delegation),
 * records each attachment as a file under {@code dataDir}, and uses the record for CHECK, DEL, GC
 * (remove the records of attachments the runtime no longer knows) and STATUS (ready when
 * {@code dataDir} is writable). Used in docs/plugin-authors.md.
 */
public final class RecordPlugin implements Plugin {

    /**
     * @param dataDir where the records go: {@code <dataDir>/<network>/<containerId>-<ifname>}
     */
    public record Config(String dataDir) {
    }

    /**
     * @param args ignored
     */
    public static void main(String[] args) {
        PluginMain.run(new RecordPlugin());
    }

    @Override
    public Result add(Request request) throws IOException {
        Result result = ipam(request)
                .map(ipam -> Invoke.delegateAdd(ipam.type(), request.stdin(), request.env()))
                .orElse(Result.empty());
        Path record = record(request, request.containerId(), request.ifName());
        Files.createDirectories(record.getParent());
        Files.writeString(record, request.netns());
        request.logger().log(Level.DEBUG, "recorded " + record);
        return result;
    }

    @Override
    public void check(Request request) {
        if (!Files.exists(record(request, request.containerId(), request.ifName()))) {
            throw new CniException(ErrorCodes.UNKNOWN_CONTAINER, "no record of " + request.containerId());
        }
        ipam(request).ifPresent(ipam -> Invoke.delegateCheck(ipam.type(), request.stdin(), request.env()));
    }

    @Override
    public void del(Request request) throws IOException {
        ipam(request).ifPresent(ipam -> Invoke.delegateDel(ipam.type(), request.stdin(), request.env()));
        Files.deleteIfExists(record(request, request.containerId(), request.ifName()));
    }

    @Override
    public void gc(Request request) throws IOException {
        Set<Path> valid = request.netConf().validAttachments().stream()
                .map((Attachment a) -> record(request, a.containerId(), a.ifname()))
                .collect(Collectors.toSet());
        Path dir = record(request, "x", "x").getParent();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> records = Files.list(dir)) {
                for (Path stale : records.filter(p -> !valid.contains(p)).toList()) {
                    request.logger().log(Level.INFO, "GC: removing " + stale);
                    Files.delete(stale);
                }
            }
        }
        // the IPAM plugin collects its own leftovers from the same list
        ipam(request).ifPresent(ipam -> Invoke.delegateGc(ipam.type(), request.stdin(), request.env()));
    }

    @Override
    public void status(Request request) {
        Path dir = Path.of(config(request).dataDir());
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw new CniException(ErrorCodes.PLUGIN_NOT_AVAILABLE, "dataDir " + dir + " is not writable");
        }
        ipam(request).ifPresent(ipam -> Invoke.delegateStatus(ipam.type(), request.stdin(), request.env()));
    }

    @Override
    public PluginInfo versionInfo() {
        return PluginInfo.of("0.4.0", "1.0.0", "1.1.0");
    }

    @Override
    public String about() {
        return "CNI record plugin (jcni example)";
    }

    private static Config config(Request request) {
        Config config = request.config(Config.class);
        if (config.dataDir() == null || config.dataDir().isEmpty()) {
            throw new CniException(ErrorCodes.INVALID_NETWORK_CONFIG, "dataDir is required");
        }
        return config;
    }

    private static Optional<Ipam> ipam(Request request) {
        return request.netConf().ipam().filter(ipam -> !ipam.type().isEmpty());
    }

    private static Path record(Request request, String containerId, String ifName) {
        Path network = Path.of(config(request).dataDir(), request.netConf().name());
        Path record = network.resolve(containerId + "-" + ifName);
        if (!record.getParent().equals(network)) {
            throw new UncheckedIOException(new IOException("invalid attachment " + containerId + "/" + ifName));
        }
        return record;
    }
}
