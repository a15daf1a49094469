package dev.jcni.testkit.internal;

import dev.jcni.sdk.internal.CliCommand;
import dev.jcni.sdk.skel.Plugin;
import dev.jcni.testkit.Conformance;
import dev.jcni.testkit.ConformanceReport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code jcni conformance}: runs {@link Conformance} on a plugin executable (or a {@link Plugin} class
 * in-process) with a configuration file and prints the report. See docs/testing.md.
 */
public final class ConformanceCommand implements CliCommand {
    static final String USAGE = "usage: jcni conformance [--cni-path DIRS] [--versions V,...] [--expect-broken KEY,...] "
            + "PLUGIN CONFIG\n"
            + "  PLUGIN  a plugin executable, or class:NAME of a Plugin class with a no-argument constructor\n"
            + "  CONFIG  a file holding the plugin's configuration JSON, or - for stdin\n"
            + "  exit status: 0 every rule holds (or exactly the --expect-broken ones are broken), 1 otherwise, 2 usage";

    /** Made by the ServiceLoader. */
    public ConformanceCommand() {
    }

    @Override
    public String name() {
        return "conformance";
    }

    @Override
    public String summary() {
        return "[--cni-path DIRS] [--versions V,...] PLUGIN CONFIG   check a plugin against the CNI spec's rules (root)";
    }

    @Override
    public int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        String cniPath = env.getOrDefault("CNI_PATH", "");
        List<String> versions = List.of();
        Set<String> expected = new LinkedHashSet<>();
        List<String> positional = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "-h", "--help" -> {
                        out.println(USAGE);
                        return 0;
                    }
                    case "--cni-path" -> cniPath = value(args, ++i);
                    case "--versions" -> versions = List.of(value(args, ++i).split(","));
                    case "--expect-broken" -> expected.addAll(List.of(value(args, ++i).split(",")));
                    default -> {
                        if (args[i].startsWith("--") ) {
                            throw new IllegalArgumentException("unknown option " + args[i]);
                        }
                        positional.add(args[i]);
                    }
                }
            }
            if (positional.size() != 2) {
                throw new IllegalArgumentException("PLUGIN and CONFIG are required");
            }
        } catch (IllegalArgumentException e) {
            err.println("jcni conformance: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        Conformance check;
        try {
            String plugin = positional.get(0);
            if (plugin.startsWith("class:")) {
                Object p = Class.forName(plugin.substring("class:".length())).getConstructor().newInstance();
                if (!(p instanceof Plugin pl)) {
                    throw new IllegalArgumentException(plugin + " is not a dev.jcni.sdk.skel.Plugin");
                }
                check = Conformance.of(pl);
            } else {
                Path exe = Path.of(plugin);
                if (!Files.isExecutable(exe)) {
                    throw new IllegalArgumentException(plugin + " is not an executable file");
                }
                check = Conformance.of(exe);
            }
            String config = positional.get(1).equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(positional.get(1)));
            check = check.config(config);
            if (!cniPath.isEmpty()) {
                check = check.cniPath(cniPath);
            }
            if (!versions.isEmpty()) {
                check = check.versions(versions);
            }
        } catch (IOException | ReflectiveOperationException | IllegalArgumentException e) {
            err.println("jcni conformance: " + e.getMessage());
            return 2;
        }
        ConformanceReport report;
        try {
            report = check.run();
        } catch (RuntimeException e) {
            err.println("jcni conformance: " + e);
            return 1;
        }
        out.print(report.toText());
        Set<String> broken = new LinkedHashSet<>(report.brokenKeys());
        if (!expected.isEmpty()) {
            boolean same = broken.equals(expected);
            out.println(same ? "the broken rules are exactly the expected ones"
                    : "expected broken: " + expected + "; broken: " + broken);
            return same ? 0 : 1;
        }
        return broken.isEmpty() ? 0 : 1;
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException("option " + args[i - 1] + " needs a value");
        }
        return args[i];
    }
}
