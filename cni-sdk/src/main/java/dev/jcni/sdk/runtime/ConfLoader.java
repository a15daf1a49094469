package dev.jcni.sdk.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.jcni.sdk.internal.GoText;
import dev.jcni.sdk.internal.Json;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import dev.jcni.sdk.types.NetConf;
import dev.jcni.sdk.types.NetConfList;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Loads network configuration lists from a configuration directory, as Go's
 * {@code libcni.LoadNetworkConf}: the {@code *.conflist} files in sorted order, then the legacy
 * {@code *.conf} / {@code *.json} single-plugin files upconverted to one-plugin lists; a list's
 * plugins are followed by those in the sibling folder {@code <dir>/<network name>/*.conf} unless
 * it sets {@code loadOnlyInlinedPlugins}.
 *
 * <p>Beyond Go (cni#258): a malformed file that is not the network asked for does not make every
 * network unloadable. It is skipped, logged as a warning, and named in the "not found" error;
 * {@link #loadAll(Path)} returns every problem. A malformed file that still shows the requested
 * {@code name} is that network's error and is thrown.
 */
public final class ConfLoader {
    /** The default configuration directory, {@code /etc/cni/net.d}. */
    public static final Path DEFAULT_DIR = Path.of("/etc/cni/net.d");

    private ConfLoader() {
    }

    /**
     * A file that could not be loaded.
     *
     * @param file the file
     * @param error why
     */
    public record Problem(Path file, String error) {
        /** Checks that no component is null. */
        public Problem {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(error, "error");
        }

        @Override
        public String toString() {
            return file + ": " + error;
        }
    }

    /**
     * Everything a directory holds.
     *
     * @param networks the networks, in lookup order (a later file naming the same network is a {@link Problem})
     * @param problems the files skipped, and why
     */
    public record Loaded(List<NetConfList> networks, List<Problem> problems) {
        /** Copies the lists. */
        public Loaded {
            networks = List.copyOf(networks);
            problems = List.copyOf(problems);
        }
    }

    /**
     * Finds a network by name, logging skipped files to the {@code dev.jcni.sdk.runtime} logger.
     *
     * @param dir the configuration directory
     * @param name the network name
     * @return the network's configuration list
     * @throws CniException code 7: {@code no net configurations found in <dir>},
     *     {@code no net configuration with name "<n>" in <dir>} (then the files skipped), or the
     *     network's own parse error
     */
    public static NetConfList loadNetworkConf(Path dir, String name) {
        return loadNetworkConf(dir, name, System.getLogger("dev.jcni.sdk.runtime"));
    }

    /**
     * Finds a network by name; see {@link #loadNetworkConf(Path, String)}.
     *
     * @param dir the configuration directory
     * @param name the network name
     * @param logger where skipped files are reported (WARNING)
     * @return the network's configuration list
     * @throws CniException code 7 as {@link #loadNetworkConf(Path, String)}
     */
    public static NetConfList loadNetworkConf(Path dir, String name, System.Logger logger) {
        List<Problem> problems = new ArrayList<>();
        List<Path> lists = confFiles(dir, List.of(".conflist"));
        for (Path f : lists) {
            byte[] bytes;
            NetConfList list;
            try {
                bytes = Files.readAllBytes(f);
                list = NetConfList.fromJson(bytes);
            } catch (IOException | IllegalArgumentException e) {
                String error = e instanceof IOException ? "error reading " + f + ": " + e.getMessage() : e.getMessage();
                skipOrThrow(f, name, error, readQuietly(f), problems, logger);
                continue;
            }
            if (list.name().equals(name)) {
                return withSiblingPlugins(list, f);
            }
        }
        List<Path> singles = confFiles(dir, List.of(".conf", ".json"));
        if (singles.isEmpty() && lists.isEmpty()) {
            throw new CniException(ErrorCodes.INVALID_NETWORK_CONFIG, "no net configurations found in " + dir);
        }
        for (Path f : singles) {
            byte[] bytes = readQuietly(f);
            NetConf conf;
            try {
                if (bytes == null) {
                    throw new IllegalArgumentException("error reading " + f);
                }
                conf = NetConfList.pluginFromJson(bytes);
            } catch (IllegalArgumentException e) {
                skipOrThrow(f, name, e.getMessage(), bytes, problems, logger);
                continue;
            }
            if (conf.name().equals(name)) {
                return NetConfList.fromSingle(conf);
            }
        }
        String msg = "no net configuration with name " + GoText.quote(name) + " in " + dir;
        if (!problems.isEmpty()) {
            msg += " (skipped " + problems.size() + (problems.size() == 1 ? " malformed file: " : " malformed files: ")
                    + String.join("; ", problems.stream().map(Problem::toString).toList()) + ")";
        }
        throw new CniException(ErrorCodes.INVALID_NETWORK_CONFIG, msg);
    }

    /** A broken file showing the requested name is that network's error; any other is skipped and reported. */
    private static void skipOrThrow(Path f, String name, String error, byte[] bytes, List<Problem> problems,
                                    System.Logger logger) {
        if (bytes != null && namesNetwork(bytes, name)) {
            throw new CniException(ErrorCodes.INVALID_NETWORK_CONFIG, error + " (in " + f + ")");
        }
        problems.add(new Problem(f, error));
        logger.log(System.Logger.Level.WARNING, "skipping malformed CNI configuration " + f + ": " + error);
    }

    private static boolean namesNetwork(byte[] bytes, String name) {
        try {
            JsonNode n = Json.parse(bytes);
            return n.isObject() && n.path("name").isTextual() && n.get("name").textValue().equals(name);
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    private static byte[] readQuietly(Path f) {
        try {
            return Files.readAllBytes(f);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Loads every network of a directory, skipping (and returning) the files that do not load.
     *
     * @param dir the configuration directory
     * @return the networks in lookup order, and the problems
     */
    public static Loaded loadAll(Path dir) {
        List<NetConfList> networks = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Path f : confFiles(dir, List.of(".conflist"))) {
            try {
                add(networks, problems, seen, f, fromFile(f));
            } catch (CniException e) {
                problems.add(new Problem(f, e.getMessage()));
            }
        }
        for (Path f : confFiles(dir, List.of(".conf", ".json"))) {
            try {
                byte[] bytes = Files.readAllBytes(f);
                add(networks, problems, seen, f, NetConfList.fromSingle(NetConfList.pluginFromJson(bytes)));
            } catch (IOException e) {
                problems.add(new Problem(f, "error reading " + f + ": " + e.getMessage()));
            } catch (IllegalArgumentException e) {
                problems.add(new Problem(f, e.getMessage()));
            }
        }
        return new Loaded(networks, problems);
    }

    private static void add(List<NetConfList> networks, List<Problem> problems, Set<String> seen, Path f, NetConfList list) {
        if (seen.add(list.name())) {
            networks.add(list);
        } else {
            problems.add(new Problem(f, "network " + GoText.quote(list.name()) + " is already defined by an earlier file"));
        }
    }

    /**
     * Loads one configuration list file, with the plugins of its sibling folder (Go's
     * {@code NetworkConfFromFile}).
     *
     * @param file a {@code .conflist} file
     * @return the list
     * @throws CniException code 7 when it cannot be read or parsed, or has no plugins at all
     */
    public static NetConfList fromFile(Path file) {
        NetConfList list;
        try {
            list = NetConfList.fromJson(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new CniException(ErrorCodes.INVALID_NETWORK_CONFIG, "error reading " + file + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new CniException(ErrorCodes.INVALID_NETWORK_CONFIG, e.getMessage());
        }
        return withSiblingPlugins(list, file);
    }

    private static NetConfList withSiblingPlugins(NetConfList list, Path file) {
        if (!list.loadOnlyInlinedPlugins() && isPlainName(list.name())) {
            Path folder = file.toAbsolutePath().getParent().resolve(list.name());
            List<NetConf> more = new ArrayList<>();
            for (Path p : confFiles(folder, List.of(".conf"))) {
                try {
                    more.add(NetConfList.pluginFromJson(Files.readAllBytes(p)));
                } catch (IOException e) {
                    throw new CniException(ErrorCodes.INVALID_NETWORK_CONFIG, "error reading " + p + ": " + e.getMessage());
                } catch (IllegalArgumentException e) {
                    throw new CniException(ErrorCodes.INVALID_NETWORK_CONFIG, e.getMessage() + " (in " + p + ")");
                }
            }
            if (!more.isEmpty()) {
                list = list.withAppendedPlugins(more);
            }
        }
        if (list.plugins().isEmpty()) {
            throw new CniException(ErrorCodes.INVALID_NETWORK_CONFIG, "no plugin configs found");
        }
        return list;
    }

    /**
     * A name that is one path element: not empty, not {@code .} or {@code ..}, no {@code /} or NUL. The
     * sibling folder is looked for only under such a name; the result cache names its entries only so.
     */
    static boolean isPlainName(String name) {
        return !name.isEmpty() && !name.equals(".") && !name.equals("..") && name.indexOf('/') < 0 && name.indexOf('\0') < 0;
    }

    /**
     * The files of a directory with one of some extensions (Go's {@code ConfFiles}): not recursive,
     * directories skipped, extensions matched exactly on what follows the last dot; a missing
     * directory gives none. Sorted by name.
     *
     * @param dir the directory
     * @param extensions e.g. {@code .conflist}
     * @return the files
     * @throws CniException code 7 when the directory exists but cannot be read
     */
    public static List<Path> confFiles(Path dir, List<String> extensions) {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> {
                String n = p.getFileName().toString();
                int dot = n.lastIndexOf('.');
                String ext = dot < 0 ? "" : n.substring(dot);
                if (extensions.contains(ext) && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    out.add(p);
                }
            });
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new CniException(ErrorCodes.INVALID_NETWORK_CONFIG, "cannot read " + dir + ": " + e.getMessage());
        }
        out.sort((a, b) -> ResultCache.compareUtf8(a.toString(), b.toString()));
        return out;
    }
}
