package dev.jcni.sdk.cli;

import dev.jcni.sdk.internal.CliCommand;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** {@code jcni node-image}: the {@link NodeImage}, found by the CLI whenever jcni-tools is on its class path. */
public final class NodeImageCommand implements CliCommand {
    /** Made by the ServiceLoader. */
    public NodeImageCommand() {
    }

    @Override
    public String name() {
        return "node-image";
    }

    @Override
    public String summary() {
        return "--dist DIR [--dist DIR]... --out FILE.tar --tag NAME:VERSION [--format oci-archive] ...   a node image of distributions (docs/kubernetes.md)";
    }

    @Override
    public int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        return NodeImage.run(List.of(args), out, err);
    }
}
