package dev.jcni.plugins.hostlocal;

import dev.jcni.sdk.types.Dns;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a resolv.conf into result DNS settings, as the Go plugin does: each line trimmed; empty
 * lines, lines starting with {@code #} or {@code ;} and lines of fewer than two fields skipped;
 * {@code nameserver} adds its first argument, {@code domain} sets the domain (the last one wins),
 * {@code search} and {@code options} add all their arguments; anything else is ignored.
 */
final class ResolvConf {
    private ResolvConf() {
    }

    /**
     * @param file the resolv.conf
     * @return the settings
     * @throws IOException when the file cannot be read
     */
    static Dns read(Path file) throws IOException {
        return parse(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
    }

    static Dns parse(String text) {
        List<String> nameservers = new ArrayList<>();
        List<String> search = new ArrayList<>();
        List<String> options = new ArrayList<>();
        String domain = "";
        for (String raw : text.split("\n", -1)) {
            String line = GoCompat.trimSpace(raw);
            if (line.isEmpty() || line.charAt(0) == '#' || line.charAt(0) == ';') {
                continue;
            }
            List<String> f = GoCompat.fields(line);
            if (f.size() < 2) {
                continue;
            }
            switch (f.get(0)) {
                case "nameserver" -> nameservers.add(f.get(1));
                case "domain" -> domain = f.get(1);
                case "search" -> search.addAll(f.subList(1, f.size()));
                case "options" -> options.addAll(f.subList(1, f.size()));
                default -> {
                    // other keywords (sortlist...) are not part of the CNI DNS settings
                }
            }
        }
        return new Dns(nameservers, domain, search, options);
    }
}
