package dev.jcni.plugins.tuning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What tuning changed and how it was before, kept in {@code <dataDir>/<containerId>_<ifName>.json}
 * between ADD and DEL: the file of Go's tuning ({@code mac}, {@code promisc}, {@code mtu},
 * {@code allmulti}, {@code txQLen}, each only when that attribute was changed), so that either
 * plugin's DEL restores the other's ADD, plus {@code jcniSysctl} (file → value), which Go's DEL
 * ignores.
 *
 * @param mac the MAC before
 * @param promisc promiscuous mode before
 * @param mtu the MTU before, 0 when not changed
 * @param allmulti all-multicast mode before
 * @param txQLen the queue length before
 * @param sysctls each changed sysctl's file and its value before
 */
record Saved(Optional<String> mac, Optional<Boolean> promisc, int mtu, Optional<Boolean> allmulti, OptionalInt txQLen,
        Map<String, String> sysctls) {

    private static final ObjectMapper JSON = new ObjectMapper();

    Saved {
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(promisc, "promisc");
        Objects.requireNonNull(allmulti, "allmulti");
        Objects.requireNonNull(txQLen, "txQLen");
        sysctls = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sysctls));
    }

    /** @return true when nothing is to be restored */
    boolean isEmpty() {
        return mac.isEmpty() && promisc.isEmpty() && mtu == 0 && allmulti.isEmpty() && txQLen.isEmpty() && sysctls.isEmpty();
    }

    /**
     * This file's values, and for what it does not hold, a newer one's: a second ADD of the same
     * attachment keeps the values from before the first.
     *
     * @param newer the values read now
     * @return the union, this one winning
     */
    Saved over(Saved newer) {
        Map<String, String> s = new LinkedHashMap<>(newer.sysctls);
        s.putAll(sysctls);
        return new Saved(mac.or(newer::mac), promisc.or(newer::promisc), mtu != 0 ? mtu : newer.mtu, allmulti.or(newer::allmulti),
                txQLen.isPresent() ? txQLen : newer.txQLen, s);
    }

    /**
     * @param dataDir the directory
     * @param containerId {@code CNI_CONTAINERID}
     * @param ifName {@code CNI_IFNAME}
     * @return Go's file name: {@code <dataDir>/<containerId>_<ifName>.json}
     */
    static Path file(Path dataDir, String containerId, String ifName) {
        return dataDir.resolve(containerId + "_" + ifName + ".json");
    }

    byte[] toJson() {
        ObjectNode n = JSON.createObjectNode();
        mac.ifPresent(m -> n.put("mac", m));
        promisc.ifPresent(p -> n.put("promisc", p));
        if (mtu != 0) {
            n.put("mtu", mtu);
        }
        allmulti.ifPresent(a -> n.put("allmulti", a));
        txQLen.ifPresent(q -> n.put("txQLen", q));
        if (!sysctls.isEmpty()) {
            ObjectNode s = n.putObject("jcniSysctl");
            sysctls.forEach(s::put);
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads a file of Go's tuning or of jcni's.
     *
     * @param bytes the file's content
     * @return the values, empty when it is not such a file
     */
    static Optional<Saved> parse(byte[] bytes) {
        JsonNode n;
        try {
            n = JSON.readTree(bytes);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (n == null || !n.isObject()) {
            return Optional.empty();
        }
        Map<String, String> s = new LinkedHashMap<>();
        JsonNode sys = n.path("jcniSysctl");
        for (Map.Entry<String, JsonNode> e : sys.properties()) {
            s.put(e.getKey(), e.getValue().asText());
        }
        String mac = n.path("mac").asText("");
        return Optional.of(new Saved(mac.isEmpty() ? Optional.empty() : Optional.of(mac),
                n.path("promisc").isBoolean() ? Optional.of(n.get("promisc").booleanValue()) : Optional.empty(),
                n.path("mtu").asInt(0),
                n.path("allmulti").isBoolean() ? Optional.of(n.get("allmulti").booleanValue()) : Optional.empty(),
                n.path("txQLen").isInt() ? OptionalInt.of(n.get("txQLen").intValue()) : OptionalInt.empty(), s));
    }

    /**
     * Writes the file atomically (a temporary file renamed over it), mode 0600 in a 0700 directory.
     *
     * @param file the file
     * @param bytes the content
     * @throws IOException when it cannot
     */
    static void write(Path file, byte[] bytes) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Path tmp = Files.createTempFile(dir, ".jcni-", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
