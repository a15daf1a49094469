package dev.jcni.sdk.cli;

import dev.jcni.sdk.internal.CliCommand;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** {@code jcni package}: the {@link Packager}, found by the CLI whenever jcni-tools is on its class path. */
public final class PackageCommand implements CliCommand {
    /** Made by the ServiceLoader. */
    public PackageCommand() {
    }

    @Override
    public String name() {
        return "package";
    }

    @Override
    public String summary() {
        return "--name DIST --out DIR --class-path CP --plugin NAME=MAIN...   package plugins as a distribution";
    }

    @Override
    public int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        return Packager.run(List.of(args), env, out, err);
    }
}
