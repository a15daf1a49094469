package dev.jcni.sdk.warm;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A distribution's {@code lib/jcni-dist.properties}, as the packager writes it:
 * {@code name=<dist name>}, {@code id=<dist id>}, one {@code plugin.<name>=<main class>} per plugin.
 * Read once when the daemon starts: the daemon serves that dist id until it stops.
 *
 * @param name the dist name (the socket is {@code /run/jcni/<name>.sock})
 * @param id the dist id (a hash of the class path jars)
 * @param plugins plugin name to main class
 */
record DistFile(String name, String id, Map<String, String> plugins) {
    static final String PLUGIN_PREFIX = "plugin.";

    DistFile {
        plugins = Map.copyOf(plugins);
    }

    /**
     * @param file the properties file
     * @return what it says
     * @throws IOException when it cannot be read, or lacks the name, the id or any plugin
     */
    static DistFile read(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        String name = p.getProperty("name", "").trim();
        String id = p.getProperty("id", "").trim();
        Map<String, String> plugins = new TreeMap<>();
        for (String k : p.stringPropertyNames()) {
            if (k.startsWith(PLUGIN_PREFIX) && k.length() > PLUGIN_PREFIX.length()) {
                plugins.put(k.substring(PLUGIN_PREFIX.length()), p.getProperty(k).trim());
            }
        }
        if (name.isEmpty() || name.contains("/") || name.startsWith(".")) {
            throw new IOException(file + ": no valid name= (got \"" + name + "\")");
        }
        if (id.isEmpty()) {
            throw new IOException(file + ": no id=");
        }
        if (plugins.isEmpty()) {
            throw new IOException(file + ": no plugin.<name>=<main class>");
        }
        return new DistFile(name, id, plugins);
    }
}
