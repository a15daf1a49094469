package dev.jcni.sdk.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.jcni.sdk.internal.CliCommand;
import dev.jcni.sdk.internal.GoText;
import dev.jcni.sdk.internal.Json;
import dev.jcni.sdk.internal.JsonValues;
import dev.jcni.sdk.internal.ProcessEnv;
import dev.jcni.sdk.internal.PluginLog;
import dev.jcni.sdk.warm.Daemon;
import dev.jcni.sdk.warm.MetricsEndpoint;
import dev.jcni.sdk.invoke.Invoke;
import dev.jcni.sdk.runtime.CniConfig;
import dev.jcni.sdk.runtime.ConfLoader;
import dev.jcni.sdk.runtime.RuntimeConf;
import dev.jcni.sdk.types.CniArgs;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.NetConfList;
import dev.jcni.sdk.types.Result;
import dev.jcni.sdk.types.TraceContext;
import dev.jcni.sdk.version.SpecVersions;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * {@code jcni}: runs a network configuration against a network namespace, as Go's cnitool does.
 *
 * <pre>
 * jcni add|check|del|gc|status|validate &lt;network&gt; &lt;netns&gt;
 * jcni version
 * jcni daemon [--dist &lt;lib/jcni-dist.properties&gt;] [--socket &lt;path&gt;]   (warm mode; see docs/operators.md)
 * jcni --help
 * </pre>
 *
 * Environment: {@code NETCONFPATH} (default /etc/cni/net.d), {@code CNI_PATH}, {@code CNI_ARGS},
 * {@code CAP_ARGS} (a JSON object), {@code CNI_IFNAME} (default eth0). Exit status: 0 success,
 * 1 failure, 2 usage error. See docs/cli.md.
 */
public final class Main {
    static final String USAGE = "usage: jcni [-i IFNAME] [--cache-dir DIR] [--timeout SECONDS] [--no-cleanup] "
            + "add|check|del|gc|status|validate <network> <netns> | version | --help";

    private static final String HELP = """
            jcni runs a CNI network configuration against a network namespace (like Go's cnitool).

            %s

            commands:
              add <network> <netns>        ADD the network's plugins; prints the result; when the chain
                                           fails, DEL of the attempted attachment (as runtimes do)
              check <network> <netns>      CHECK the attachment made by add
              del <network> <netns>        DEL the attachment made by add
              gc <network> [<netns>]       DEL every cached attachment of the network, then GC (spec 1.1.0)
              status <network> [<netns>]   STATUS of the network's plugins (spec 1.1.0)
              validate <network> [<netns>] check that every plugin exists and supports the version
              version                      print jcni's version and the CNI versions it supports
              daemon [--dist FILE] [--socket PATH] [--metrics-listen 127.0.0.1:PORT] [--metrics-textfile FILE]
                                           serve the plugins of a jcni distribution warm (docs/operators.md)
              metrics [--socket PATH]      print the warm-mode daemon's metrics (Prometheus text; root)
              doctor [--json] [--cni-path DIRS] [--conf-dir DIR]
                                           check jcni on this node: plugins, configurations, Java, daemon,
                                           iptables/nftables, kernel modules; exit 1 naming what fails
              package, conformance         with jcni's tools on the class path (docs/packaging.md, docs/testing.md)

            options:
              -i, --ifname NAME     interface name in the container (default: $CNI_IFNAME, else eth0)
              --cache-dir DIR       result cache directory (default: /var/lib/cni)
              --timeout SECONDS     stop plugins (SIGTERM, then SIGKILL) after this many seconds
              --no-cleanup          add: no DEL after a failed ADD (leaves what the chain made, to inspect it)

            environment:
              NETCONFPATH   configuration directory (default /etc/cni/net.d)
              CNI_PATH      plugin directories, colon-separated
              CNI_ARGS      K=V;K2=V2 passed to the plugins
              CAP_ARGS      JSON object of capability arguments, e.g. {"portMappings":[...]}
              CNI_IFNAME    interface name (default eth0)

            The container id is cnitool-<hex of the first 10 bytes of SHA-512(absolute netns path)>.
            """;

    /** The commands of this class; any other first word is looked up among the {@link CliCommand}s. */
    private static final Set<String> BUILT_IN = Set.of("add", "check", "del", "gc", "status", "validate", "version", "help");
    /** Commands of jcni-tools and jcni-test-kit, named in the error when they are not on the class path. */
    private static final Set<String> TOOLS = Set.of("package", "conformance");

    private Main() {
    }

    /** Thrown for a command line that cannot be run. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /**
     * Runs the tool and exits with its status.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        int status = run(args, ProcessEnv.read(), System.out, System.err);
        System.out.flush();
        System.err.flush();
        System.exit(status);
    }

    /**
     * Runs the tool without exiting.
     *
     * @param args the command line
     * @param env the environment
     * @param out where results go
     * @param err where messages go
     * @return the exit status: 0 success, 1 failure, 2 usage error
     */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        if (args.length > 0 && args[0].equals("daemon")) {
            return Daemon.run(Arrays.copyOfRange(args, 1, args.length), err);
        }
        if (args.length > 0 && args[0].equals("doctor")) {
            return Doctor.run(Arrays.copyOfRange(args, 1, args.length), env, out, err);
        }
        if (args.length > 0 && args[0].equals("metrics")) {
            return MetricsEndpoint.print(Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        if (args.length > 0 && !BUILT_IN.contains(args[0]) && !args[0].startsWith("-")) {
            Optional<CliCommand> sub = subcommand(args[0]);
            if (sub.isPresent()) {
                return sub.get().run(Arrays.copyOfRange(args, 1, args.length), env, out, err);
            }
            if (TOOLS.contains(args[0])) {
                err.println("jcni: " + args[0] + " is a command of jcni's tools (dev.jcni:jcni-tools), "
                        + "which are not on this class path (docs/packaging.md)");
                return 2;
            }
        }
        String command = null;
        List<String> positional = new ArrayList<>();
        String ifName = "";
        Path cacheDir = CniConfig.DEFAULT_CACHE_DIR;
        Duration timeout = null;
        boolean cleanup = true;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "-h", "--help", "help" -> {
                        out.print(String.format(HELP, USAGE));
                        List<CliCommand> more = subcommands();
                        if (!more.isEmpty()) {
                            out.println("more commands:");
                            for (CliCommand c : more) {
                                out.println("  " + c.name() + " " + c.summary());
                            }
                        }
                        return 0;
                    }
                    case "-i", "--ifname" -> ifName = value(args, ++i, a);
                    case "--cache-dir" -> cacheDir = Path.of(value(args, ++i, a));
                    case "--timeout" -> timeout = seconds(value(args, ++i, a));
                    case "--no-cleanup" -> cleanup = false;
                    default -> {
                        if (a.startsWith("--ifname=")) {
                            ifName = a.substring("--ifname=".length());
                        } else if (a.startsWith("--cache-dir=")) {
                            cacheDir = Path.of(a.substring("--cache-dir=".length()));
                        } else if (a.startsWith("--timeout=")) {
                            timeout = seconds(a.substring("--timeout=".length()));
                        } else if (a.startsWith("-") && a.length() > 1) {
                            throw new UsageException("unknown option " + a);
                        } else if (command == null) {
                            command = a;
                        } else {
                            positional.add(a);
                        }
                    }
                }
            }
            if (command == null) {
                throw new UsageException("no command given");
            }
            if (command.equals("version")) {
                if (!positional.isEmpty()) {
                    throw new UsageException("version takes no arguments");
                }
                String v = Main.class.getPackage().getImplementationVersion();
                out.println("jcni " + (v == null ? "(development build)" : v));
                out.println("CNI protocol versions supported: " + String.join(", ", SpecVersions.ALL));
                return 0;
            }
            boolean needsNetns = switch (command) {
                case "add", "check", "del" -> true;
                case "gc", "status", "validate" -> false;
                default -> throw new UsageException("unknown command " + GoText.quote(command));
            };
            if (positional.isEmpty() || (needsNetns && positional.size() < 2)) {
                throw new UsageException(needsNetns ? "network name and namespace are required" : "network name is required");
            }
            if (positional.size() > 2) {
                throw new UsageException("too many arguments: " + String.join(" ", positional.subList(2, positional.size())));
            }
            if (ifName.isEmpty()) {
                ifName = env.getOrDefault("CNI_IFNAME", "");
                if (ifName.isEmpty()) {
                    ifName = "eth0";
                }
            }
            return execute(command, positional, new Options(ifName, cacheDir, timeout, cleanup), env, out, err);
        } catch (UsageException e) {
            err.println("jcni: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
    }

    /** @return the subcommands other jcni modules on the class path provide */
    static List<CliCommand> subcommands() {
        List<CliCommand> all = new ArrayList<>();
        ServiceLoader.load(CliCommand.class, Main.class.getClassLoader()).forEach(all::add);
        return all;
    }

    private static Optional<CliCommand> subcommand(String name) {
        return subcommands().stream().filter(c -> c.name().equals(name)).findFirst();
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new UsageException("option " + option + " needs a value");
        }
        return args[i];
    }

    private static Duration seconds(String text) {
        try {
            double s = Double.parseDouble(text);
            if (!(s > 0) || Double.isInfinite(s)) {
                throw new NumberFormatException();
            }
            return Duration.ofMillis(Math.max(1, (long) (s * 1000)));
        } catch (NumberFormatException e) {
            throw new UsageException("--timeout needs a positive number of seconds, not " + GoText.quote(text));
        }
    }

    /** The options of add, check, del, gc, status and validate. */
    private record Options(String ifName, Path cacheDir, Duration timeout, boolean cleanup) {
    }

    private static int execute(String command, List<String> positional, Options o,
                               Map<String, String> env, PrintStream out, PrintStream err) {
        String ifName = o.ifName();
        Path cacheDir = o.cacheDir();
        Duration timeout = o.timeout();
        PluginLog log = new PluginLog("jcni", err, PluginLog.parseLevel(env.getOrDefault(PluginLog.LOG_LEVEL_ENV, ""),
                System.Logger.Level.INFO)).withFormatOf(env).forCall(env);
        try {
            String network = positional.get(0);
            String netns = positional.size() > 1 ? Path.of(positional.get(1)).toAbsolutePath().normalize().toString() : "";
            String dir = env.getOrDefault("NETCONFPATH", "");
            NetConfList list = ConfLoader.loadNetworkConf(Path.of(dir.isEmpty() ? ConfLoader.DEFAULT_DIR.toString() : dir),
                    network, log);
            CniConfig cni = CniConfig.create(Invoke.splitPath(env.getOrDefault("CNI_PATH", "")))
                    .withCacheDir(cacheDir).withLogger(log).withTraceContext(TraceContext.fromEnv(env));
            if (timeout != null) {
                cni = cni.withTimeout(timeout);
            }
            RuntimeConf rt = new RuntimeConf(netns.isEmpty() ? "" : containerId(netns), netns, ifName,
                    cniArgs(env.getOrDefault("CNI_ARGS", "")), capabilityArgs(env.getOrDefault("CAP_ARGS", "")));
            switch (command) {
                case "add" -> {
                    Result r;
                    try {
                        r = cni.addNetworkList(list, rt);
                    } catch (CniException e) {
                        err.println("jcni: " + e.getMessage() + code(e) + cleanUp(cni, list, rt, o.cleanup()));
                        return 1;
                    }
                    out.println(new String(r.toIndentedJson(), StandardCharsets.UTF_8));
                }
                case "check" -> cni.checkNetworkList(list, rt);
                case "del" -> cni.delNetworkList(list, rt);
                case "gc" -> cni.gcNetworkList(list);
                case "status" -> cni.getStatusNetworkList(list);
                case "validate" -> {
                    Set<String> caps = cni.validateNetworkList(list);
                    out.println("network " + GoText.quote(list.name()) + " (cniVersion " + GoText.quote(list.cniVersion())
                            + ") is valid; capabilities: " + GoText.list(List.copyOf(caps)));
                }
                default -> throw new IllegalStateException(command);
            }
            return 0;
        } catch (UsageException e) {
            throw e;
        } catch (CniException e) {
            // code 0 is "no code": a plugin that was killed or failed without an error JSON
            err.println("jcni: " + e.getMessage() + code(e));
            return 1;
        } catch (RuntimeException e) {
            err.println("jcni: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        }
    }

    /** Code 0 is "no code": a plugin that was killed or failed without an error JSON. */
    private static String code(CniException e) {
        return e.code() == 0 ? "" : " (code " + e.code() + ")";
    }

    /**
     * After a failed ADD, runs DEL for the attempted attachment, as containerd and kubelet do, so
     * that what the chain's first plugins made (an address reservation, an interface) does not stay
     * behind; the plugins run without prevResult (nothing was cached).
     *
     * @return what to add to the error message: that DEL was sent and how it went, or that it was not
     */
    private static String cleanUp(CniConfig cni, NetConfList list, RuntimeConf rt, boolean cleanup) {
        if (!cleanup) {
            return "; no DEL sent (--no-cleanup): what the chain made stays until `jcni del`";
        }
        try {
            cni.delNetworkList(list, rt);
            return "; DEL sent for the attempted attachment, which is removed (--no-cleanup keeps it)";
        } catch (CniException e) {
            return "; DEL sent for the attempted attachment, and it failed too: " + e.getMessage() + code(e)
                    + " (run `jcni del` once the cause is fixed)";
        }
    }

    /**
     * cnitool's container id: {@code cnitool-} and the lowercase hex of the first 10 bytes of the
     * SHA-512 of the absolute netns path.
     *
     * @param absoluteNetns the absolute netns path
     * @return the container id
     */
    static String containerId(String absoluteNetns) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-512").digest(absoluteNetns.getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder("cnitool-");
            for (int i = 0; i < 10; i++) {
                sb.append(Character.forDigit((h[i] >> 4) & 0xf, 16)).append(Character.forDigit(h[i] & 0xf, 16));
            }
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** cnitool's CNI_ARGS parsing: every pair needs exactly one {@code =}, a key and a value. */
    static CniArgs cniArgs(String text) {
        if (text.isEmpty()) {
            return CniArgs.empty();
        }
        List<CniArgs.Pair> pairs = new ArrayList<>();
        for (String p : text.split(";", -1)) {
            String[] kv = p.split("=", -1);
            if (kv.length != 2 || kv[0].isEmpty() || kv[1].isEmpty()) {
                throw new UsageException("invalid CNI_ARGS pair " + GoText.quote(p));
            }
            pairs.add(new CniArgs.Pair(kv[0], kv[1]));
        }
        return new CniArgs(pairs);
    }

    static Map<String, Object> capabilityArgs(String text) {
        if (text.isEmpty()) {
            return Map.of();
        }
        try {
            JsonNode n = Json.parse(text.getBytes(StandardCharsets.UTF_8));
            if (!n.isObject()) {
                throw new UsageException("CAP_ARGS must be a JSON object, not " + Json.jsonTypeName(n));
            }
            return JsonValues.members(n);
        } catch (JsonProcessingException e) {
            throw new UsageException("CAP_ARGS is not JSON: " + Json.describe(e));
        }
    }
}
