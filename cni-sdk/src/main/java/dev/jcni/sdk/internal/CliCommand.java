package dev.jcni.sdk.internal;

import java.io.PrintStream;
import java.util.Map;

/**
 * A {@code jcni} subcommand provided by another jcni module (found with {@link java.util.ServiceLoader}),
 * so that the CLI in cni-sdk keeps jackson-databind as its only dependency. Not API.
 */
public interface CliCommand {
    /** @return the subcommand's name, e.g. {@code conformance} */
    String name();

    /** @return one line for {@code jcni --help}: the arguments and what it does */
    String summary();

    /**
     * Runs the subcommand.
     *
     * @param args the arguments after the subcommand's name
     * @param env the environment
     * @param out standard output
     * @param err standard error
     * @return the exit status (0 success, 1 failure, 2 usage error)
     */
    int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err);
}
