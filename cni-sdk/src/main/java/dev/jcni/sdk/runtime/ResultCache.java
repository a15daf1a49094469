package dev.jcni.sdk.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jcni.sdk.internal.GoText;
import dev.jcni.sdk.internal.GoJson;
import dev.jcni.sdk.internal.Json;
import dev.jcni.sdk.internal.JsonValues;
import dev.jcni.sdk.types.CniArgs;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.Result;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * The libcni result cache, file for file: {@code <cacheDir>/results/<network>-<containerID>-<ifname>}
 * holding a {@code cniCacheV1} object, so that a node can move between a Go runtime and jcni.
 * Writes are atomic (temporary file in {@code <cacheDir>/.jcni-tmp}, fsync, rename, fsync of the
 * directory; the temporary directory goes again when no other write uses it); an empty, truncated or
 * corrupt file reads as {@link Read.Corrupt}.
 */
final class ResultCache {
    static final String KIND = "cniCacheV1";
    private static final String TMP_DIR = ".jcni-tmp";
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");

    private final Path dir;

    ResultCache(Path cacheDir) {
        this.dir = cacheDir;
    }

    Path resultsDir() {
        return dir.resolve("results");
    }

    /** What reading one cache file gave. */
    sealed interface Read permits Read.Absent, Read.Corrupt, Read.Found {
        /** No file. */
        record Absent() implements Read {
        }

        /** A file that is not a cache entry or result: empty, truncated, not JSON, bad result. */
        record Corrupt(Path file, String reason) implements Read {
        }

        /** A cache entry (or a legacy bare result); the result in its own version. */
        record Found(Path file, Result result) implements Read {
        }
    }

    /**
     * The file of one attachment.
     *
     * @throws IllegalArgumentException Go's {@code cache file path requires network name ("n"), container ID ("c"),
     *     and interface name ("i")} when one is empty; {@code cache file name ... would leave <dir>} when the
     *     name holds a {@code /} or a NUL (ADD refuses such names: no entry can exist under one, and no
     *     other file is ever read or removed in its place)
     */
    Path file(String network, String containerId, String ifName) {
        if (network.isEmpty() || containerId.isEmpty() || ifName.isEmpty()) {
            throw new IllegalArgumentException("cache file path requires network name (" + GoText.quote(network)
                    + "), container ID (" + GoText.quote(containerId) + "), and interface name (" + GoText.quote(ifName) + ")");
        }
        String name = network + "-" + containerId + "-" + ifName;
        if (!isPlainName(network, containerId, ifName)) {
            throw new IllegalArgumentException("cache file name " + GoText.quote(name) + " would leave " + resultsDir());
        }
        return resultsDir().resolve(name);
    }

    /** @return true when the entry's name stays one entry of the results directory (no {@code /}, no NUL) */
    static boolean isPlainName(String network, String containerId, String ifName) {
        return ConfLoader.isPlainName(network + "-" + containerId + "-" + ifName);
    }

    /** Writes an entry atomically, file mode 0600 in a 0700 directory. */
    void write(String network, RuntimeConf rt, byte[] config, Result result) throws IOException {
        Path target = file(network, rt.containerId(), rt.ifName());
        ObjectNode o = Json.object();
        o.put("kind", KIND);
        o.put("containerId", rt.containerId());
        o.put("config", Base64.getEncoder().encodeToString(config));
        o.put("ifName", rt.ifName());
        o.put("networkName", network);
        if (!rt.netns().isEmpty()) {
            o.put("netns", rt.netns());
        }
        if (!rt.args().pairs().isEmpty()) {
            ArrayNode a = o.putArray("cniArgs");
            for (CniArgs.Pair p : rt.args().pairs()) {
                a.addArray().add(p.key()).add(p.value());
            }
        }
        if (!rt.capabilityArgs().isEmpty()) {
            o.set("capabilityArgs", Json.sorted(GoJson.encode(rt.capabilityArgs())));
        }
        o.set("result", Json.sorted(Json.parse(result.toJson())));
        byte[] bytes = Json.write(o);

        Path results = target.getParent();
        Path tmpDir = dir.resolve(TMP_DIR);
        createDir(results);
        Path tmp = tmpDir.resolve(target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            writeNew(tmp, bytes);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
            removeIfEmpty(tmpDir);
        }
        syncDir(results);
    }

    /** Writes and syncs a new file, making its directory; a concurrent writer may remove that directory meanwhile. */
    private static void writeNew(Path file, byte[] bytes) throws IOException {
        FileAttribute<Set<PosixFilePermission>> mode = PosixFilePermissions.asFileAttribute(FILE_MODE);
        for (int attempt = 1; ; attempt++) {
            createDir(file.getParent());
            try (FileChannel ch = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), mode)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
                return;
            } catch (NoSuchFileException e) {
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    private static void removeIfEmpty(Path d) {
        try {
            Files.deleteIfExists(d);
        } catch (IOException e) {
            // another write is using it (not empty): that write removes it
        }
    }

    private static void createDir(Path d) throws IOException {
        try {
            Files.createDirectories(d, PosixFilePermissions.asFileAttribute(DIR_MODE));
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(d)) {
                throw e;
            }
        }
    }

    private static void syncDir(Path d) {
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            // best effort: not every file system can sync a directory
        }
    }

    /** Removes an entry; a missing file, an incomplete key or a name that could not be an entry is fine. */
    void delete(String network, RuntimeConf rt) throws IOException {
        if (network.isEmpty() || rt.containerId().isEmpty() || rt.ifName().isEmpty()
                || !isPlainName(network, rt.containerId(), rt.ifName())) {
            return;
        }
        Files.deleteIfExists(file(network, rt.containerId(), rt.ifName()));
    }

    /** Reads the entry of one attachment; its result stays in its own version. */
    Read read(String network, RuntimeConf rt) {
        Path f = file(network, rt.containerId(), rt.ifName());
        byte[] data;
        try {
            data = Files.readAllBytes(f);
        } catch (NoSuchFileException e) {
            return new Read.Absent();
        } catch (IOException e) {
            return new Read.Corrupt(f, "cannot read " + f + ": " + e.getMessage());
        }
        if (data.length == 0) {
            return new Read.Corrupt(f, "the cache file " + f + " is empty");
        }
        JsonNode node;
        try {
            node = Json.parse(data);
        } catch (JsonProcessingException e) {
            return new Read.Corrupt(f, "the cache file " + f + " is not JSON (truncated?): " + Json.describe(e));
        }
        JsonNode resultNode = node;
        if (node.isObject() && KIND.equals(node.path("kind").asText(null))) {
            resultNode = node.get("result");
            if (resultNode == null || resultNode.isNull()) {
                return new Read.Corrupt(f, "the cache file " + f + " has no result");
            }
        }
        try {
            return new Read.Found(f, Result.fromJson(Json.write(resultNode)));
        } catch (CniException e) {
            return new Read.Corrupt(f, "the cache file " + f + " holds no valid result: " + e.getMessage());
        }
    }

    /** Reads the attachment details of one entry, or empty when the file is absent or not a cniCacheV1 entry. */
    Optional<NetworkAttachment> readAttachment(Path f) {
        byte[] data;
        try {
            data = Files.readAllBytes(f);
        } catch (IOException e) {
            return Optional.empty();
        }
        JsonNode n;
        try {
            n = Json.parse(data);
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
        if (!n.isObject() || !KIND.equals(n.path("kind").asText(null))) {
            return Optional.empty();
        }
        try {
            String config = "";
            JsonNode c = n.get("config");
            if (c != null && !c.isNull()) {
                config = Json.text(Base64.getDecoder().decode(c.textValue()));
            }
            List<CniArgs.Pair> pairs = new ArrayList<>();
            JsonNode a = n.get("cniArgs");
            if (a != null && a.isArray()) {
                for (JsonNode p : a) {
                    if (!p.isArray() || p.size() != 2 || !p.get(0).isTextual() || !p.get(1).isTextual()) {
                        return Optional.empty();
                    }
                    pairs.add(new CniArgs.Pair(p.get(0).textValue(), p.get(1).textValue()));
                }
            }
            Map<String, Object> caps = JsonValues.members(n.get("capabilityArgs"));
            return Optional.of(new NetworkAttachment(text(n, "containerId"), text(n, "networkName"), text(n, "ifName"),
                    config, text(n, "netns"), new CniArgs(pairs), caps));
        } catch (IllegalArgumentException | NullPointerException e) {
            return Optional.empty();
        }
    }

    private static String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return "";
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException(key + " is not a string");
        }
        return v.textValue();
    }

    /**
     * Go's {@code GetCachedAttachments}: the entries in file name order, filtered by container id
     * when one is given, skipping unreadable files, other kinds and entries without an interface
     * or network name.
     */
    List<NetworkAttachment> list(String containerId) throws IOException {
        Path results = resultsDir();
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(results)) {
            s.forEach(p -> names.add(p.getFileName().toString()));
        } catch (NoSuchFileException e) {
            return List.of();
        }
        names.sort(ResultCache::compareUtf8);
        List<NetworkAttachment> out = new ArrayList<>();
        for (String name : names) {
            if (!containerId.isEmpty()) {
                String part = "-" + containerId + "-";
                int pos = name.indexOf(part);
                if (pos <= 0 || pos + part.length() >= name.length()) {
                    continue;
                }
            }
            Optional<NetworkAttachment> a = readAttachment(results.resolve(name));
            if (a.isEmpty()) {
                continue;
            }
            NetworkAttachment att = a.get();
            if (!containerId.isEmpty() && !att.containerId().equals(containerId)) {
                continue;
            }
            if (att.ifName().isEmpty() || att.network().isEmpty()) {
                continue;
            }
            out.add(att);
        }
        return out;
    }

    /** Go's {@code sort.Strings}: byte order of the UTF-8 encodings. */
    static int compareUtf8(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
