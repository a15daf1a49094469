package dev.jcni.plugins.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** A test-side reading of a host-local store directory ({@code <dataDir>/<network>}). */
final class Store {
    private Store() {
    }

    /**
     * @param dir the store directory
     * @return reservation file name (an address) → its content, for every file whose name holds a dot or a
     *     colon and that is not {@code last_reserved_ip.N}; empty when the directory does not exist
     */
    static Map<String, String> reservations(Path dir) {
        Map<String, String> out = new TreeMap<>();
        for (String name : files(dir)) {
            if ((name.contains(".") || name.contains(":")) && !name.startsWith("last_reserved_ip.") && !name.startsWith(".")) {
                try {
                    out.put(name, Files.readString(dir.resolve(name), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return out;
    }

    /** @return the names of the files a process left while writing ({@code .jcni-*}) */
    static List<String> temporaryFiles(Path dir) {
        return files(dir).stream().filter(n -> n.startsWith(".jcni-")).toList();
    }

    /** @return the file names of a directory, sorted; empty when it does not exist */
    static List<String> files(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return new ArrayList<>(s.map(p -> p.getFileName().toString()).sorted().toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the content host-local writes for an attachment */
    static String key(String containerId, String ifName) {
        return containerId + "\r\n" + ifName;
    }
}
