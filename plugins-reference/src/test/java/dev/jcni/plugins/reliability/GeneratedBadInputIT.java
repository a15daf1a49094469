package dev.jcni.plugins.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jcni.plugins.Dist;
import dev.jcni.plugins.bridge.Bridge;
import dev.jcni.plugins.hostlocal.HostLocal;
import dev.jcni.plugins.portmap.Portmap;
import dev.jcni.plugins.ptp.Ptp;
import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.testing.PluginHarness;
import dev.jcni.sdk.testsupport.Kernel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Bad input, generated: configurations and environments that each break one rule (stdin not JSON or
 * not an object, no or a bad network name, an unsupported or malformed {@code cniVersion}, a field of
 * the wrong JSON type or a value out of range, a missing or malformed {@code CNI_*} variable, an
 * unknown command), for each reference plugin through the real skel in this JVM
 * ({@link PluginHarness#of}), and a sample of them through the packaged executables.
 *
 * <p>Every call must: exit 1; print exactly one JSON value on stdout, an error object whose
 * {@code code} is one of the spec's (1-7, 11) and whose {@code msg} is not empty; show no stack trace
 * on stdout or stderr; create nothing: no file in the {@code dataDir} every configuration names, no
 * link of the bridge name every bridge configuration names, no firewall rule naming the run's network.
 *
 * <p>CI runs {@code badInputTries} (2,500) per plugin, 10,000 in all, and {@code badInputExec} (24)
 * through the executables; the soak run 10,000 per plugin and 200.
 */
class GeneratedBadInputIT {
    /** The spec's error codes a bad input may get. */
    static final Set<Integer> SPEC_CODES = Set.of(1, 2, 3, 4, 5, 6, 7, 11);
    static final String TAG = Kernel.uniqueName("jbad");
    static final String BRIDGE = TAG.length() > 15 ? TAG.substring(0, 15) : TAG;
    static final Path DATA = tempDir();
    static final ObjectMapper STRICT = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    static final Map<String, AtomicInteger> CODES = new ConcurrentHashMap<>();

    static Path tempDir() {
        try {
            Path dir = Files.createTempDirectory("jcni-badinput");
            dir.toFile().deleteOnExit(); // also when the class is loaded by discovery but its tests do not run
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One generated call. */
    record Input(String plugin, String rule, String command, Map<String, String> env, byte[] stdin) {
        @Override
        public String toString() {
            return plugin + " " + command + " [" + rule + "] env=" + env + " stdin=" + new String(stdin, StandardCharsets.UTF_8);
        }
    }

    static Plugin plugin(String name) {
        return switch (name) {
            case "bridge" -> new Bridge();
            case "ptp" -> new Ptp();
            case "host-local" -> new HostLocal();
            case "portmap" -> new Portmap();
            default -> throw new IllegalArgumentException(name);
        };
    }

    // ------------------------------------------------------------------ generators

    static final String PREV = "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"/run/netns/x\"}],"
            + "\"ips\":[{\"interface\":0,\"address\":\"10.254.77.5/24\"}]}";

    /** A valid configuration of each plugin (only ever sent with one rule broken). */
    static Map<String, Object> validConf(String plugin) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("cniVersion", "1.0.0");
        c.put("name", TAG);
        c.put("type", plugin);
        Map<String, Object> ipam = new LinkedHashMap<>();
        ipam.put("type", "host-local");
        ipam.put("dataDir", DATA.toString());
        ipam.put("ranges", List.of(List.of(Map.of("subnet", "10.251.7.0/24"))));
        switch (plugin) {
            case "bridge" -> {
                c.put("bridge", BRIDGE);
                c.put("ipam", ipam);
            }
            case "ptp", "host-local" -> c.put("ipam", ipam);
            case "portmap" -> {
                c.put("runtimeConfig", Map.of("portMappings", List.of(Map.of("hostPort", 8080, "containerPort", 80, "protocol", "tcp"))));
                try {
                    c.put("prevResult", STRICT.readValue(PREV, Map.class));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            default -> throw new IllegalArgumentException(plugin);
        }
        return c;
    }

    /** Fields of the wrong JSON type (a string where a number or a boolean goes, and so on). */
    static final Map<String, List<Map.Entry<String, Object>>> WRONG_TYPES = Map.of(
            "bridge", List.of(Map.entry("mtu", "big"), Map.entry("mtu", 1.5), Map.entry("isGateway", "yes"), Map.entry("ipMasq", 1),
                    Map.entry("hairpinMode", "on"), Map.entry("bridge", 5), Map.entry("vlan", "x"), Map.entry("promiscMode", List.of()),
                    Map.entry("ipam", "host-local")),
            "ptp", List.of(Map.entry("mtu", "big"), Map.entry("mtu", 1.5), Map.entry("ipMasq", "yes"), Map.entry("ipam", 7)),
            "host-local", List.of(Map.entry("ipam", "host-local"), Map.entry("ipam.ranges", "10.0.0.0/8"), Map.entry("ipam.dataDir", 5),
                    Map.entry("ipam.routes", "default"), Map.entry("ipam.ranges", List.of("x")), Map.entry("ipam.subnet", 10)),
            "portmap", List.of(Map.entry("snat", "no"), Map.entry("markMasqBit", "x"), Map.entry("runtimeConfig", "x"),
                    Map.entry("runtimeConfig.portMappings", "x"), Map.entry("backend", 4), Map.entry("conditionsV4", "x")));

    /** Values of the right type that the plugin must refuse. */
    static final Map<String, List<Map.Entry<String, Object>>> BAD_VALUES = Map.of(
            "bridge", List.of(Map.entry("vlan", 5000), Map.entry("vlan", -1), Map.entry("bridge", "a/b"),
                    Map.entry("bridge", "0123456789abcdefg")),
            "ptp", List.of(Map.entry("ipam", Map.of())),
            "host-local", List.of(Map.entry("ipam.ranges", List.of(List.of(Map.of("subnet", "10.0.0.0/33")))),
                    Map.entry("ipam.ranges", List.of(List.of(Map.of("subnet", "nonsense")))),
                    Map.entry("ipam.ranges", List.of(List.of(Map.of("subnet", "10.9.0.0/24", "rangeStart", "10.8.0.5")))),
                    Map.entry("ipam.ranges", List.of()),
                    Map.entry("ipam.ranges", List.of(List.of(Map.of("subnet", "10.9.0.0/31"))))),
            "portmap", List.of(Map.entry("runtimeConfig", Map.of("portMappings", List.of(Map.of("hostPort", 0, "containerPort", 80,
                    "protocol", "tcp")))), Map.entry("markMasqBit", 32), Map.entry("backend", "ebpf"),
                    Map.entry("runtimeConfig", Map.of("portMappings", List.of(Map.of("hostPort", 80, "containerPort", 80,
                            "protocol", "icmp"))))));

    @SuppressWarnings("unchecked")
    static Map<String, Object> with(Map<String, Object> conf, String path, Object value) {
        Map<String, Object> c = new LinkedHashMap<>(conf);
        int dot = path.indexOf('.');
        if (dot < 0) {
            c.put(path, value);
            return c;
        }
        String head = path.substring(0, dot);
        Object inner = c.get(head);
        c.put(head, with(inner instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of(), path.substring(dot + 1), value));
        return c;
    }

    static byte[] json(Object value) {
        try {
            return STRICT.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, String> goodEnv() {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("CNI_CONTAINERID", TAG + "-c");
        e.put("CNI_NETNS", "/run/netns/" + TAG + "-absent");
        e.put("CNI_IFNAME", "eth0");
        e.put("CNI_PATH", Dist.bin().toString());
        return e;
    }

    /** Text that is never valid JSON: an unclosed object or array, or a bare word. */
    static Arbitrary<byte[]> notJson() {
        Arbitrary<String> junk = Arbitraries.strings().withCharRange(' ', '~').withChars('\n', '\t', 'é', '\u0000').ofMaxLength(60);
        return Arbitraries.oneOf(
                junk.map(s -> ("{" + s.replace("}", "")).getBytes(StandardCharsets.UTF_8)),
                junk.map(s -> ("[" + s.replace("]", "")).getBytes(StandardCharsets.UTF_8)),
                Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(20)
                        .filter(s -> !Set.of("true", "false", "null").contains(s)).map(s -> s.getBytes(StandardCharsets.UTF_8)),
                Arbitraries.bytes().list().ofMaxSize(40).map(b -> {
                    byte[] out = new byte[b.size() + 2];
                    out[0] = (byte) 0xff; // never UTF-8, never JSON
                    for (int i = 0; i < b.size(); i++) {
                        out[i + 1] = b.get(i);
                    }
                    out[out.length - 1] = '{';
                    return out;
                }),
                Arbitraries.just(new byte[0]));
    }

    /** A network name that breaks {@code ^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$}. */
    static Arbitrary<String> badName() {
        Arbitrary<String> ok = Arbitraries.strings().withCharRange('a', 'z').withChars('-', '.', '_').ofMaxLength(8);
        Arbitrary<String> bad = Arbitraries.of("/", "..", "\"", "'", "\n", " ", "$(id)", ";", "\\u0000", "\u0000", "é", ":", "*", "`");
        return Combinators.combine(ok, bad, ok).as((a, b, c) -> "a" + a + b + c)
                .filter(s -> !s.matches("[a-zA-Z0-9][a-zA-Z0-9_.\\-]*"));
    }

    @Provide
    Arbitrary<Input> bridgeInputs() {
        return inputs("bridge");
    }

    @Provide
    Arbitrary<Input> ptpInputs() {
        return inputs("ptp");
    }

    @Provide
    Arbitrary<Input> hostLocalInputs() {
        return inputs("host-local");
    }

    @Provide
    Arbitrary<Input> portmapInputs() {
        return inputs("portmap");
    }

    @Provide
    Arbitrary<Input> anyInputs() {
        return Arbitraries.of("bridge", "ptp", "host-local", "portmap").flatMap(GeneratedBadInputIT::inputs);
    }

    static Arbitrary<Input> inputs(String plugin) {
        Map<String, Object> valid = validConf(plugin);
        Arbitrary<String> verb = Arbitraries.of("ADD", "DEL", "CHECK");
        Arbitrary<Input> notJson = Combinators.combine(verb, notJson())
                .as((v, b) -> new Input(plugin, "not JSON", v, goodEnv(), b));
        Arbitrary<Input> notObject = Combinators.combine(verb, Arbitraries.of("[]", "[1,2]", "\"conf\"", "42", "true", "null", "{}x", "{} {}"))
                .as((v, s) -> new Input(plugin, "not an object", v, goodEnv(), s.getBytes(StandardCharsets.UTF_8)));
        Arbitrary<Input> name = Combinators.combine(verb, badName().injectNull(0.1))
                .as((v, n) -> {
                    Map<String, Object> c = new LinkedHashMap<>(valid);
                    if (n == null) {
                        c.remove("name");
                    } else {
                        c.put("name", n);
                    }
                    return new Input(plugin, "network name", v, goodEnv(), json(c));
                });
        Arbitrary<Input> version = Combinators.combine(verb, Arbitraries.oneOf(Arbitraries.of("99.0.0", "0.0.1", "1.2.0", "2.0.0", "x", "1.0",
                "1.0.0.0", "-1.0.0"), Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(10)))
                .as((v, ver) -> new Input(plugin, "cniVersion", v, goodEnv(), json(with(valid, "cniVersion", ver))));
        Arbitrary<Input> wrongType = Combinators.combine(verb, Arbitraries.of(WRONG_TYPES.get(plugin)))
                .as((v, f) -> new Input(plugin, "wrong type " + f.getKey(), v, goodEnv(), json(with(valid, f.getKey(), f.getValue()))));
        Arbitrary<Input> badValue = Combinators.combine(Arbitraries.of("ADD"), Arbitraries.of(BAD_VALUES.get(plugin)))
                .as((v, f) -> new Input(plugin, "bad value " + f.getKey(), v, goodEnv(), json(with(valid, f.getKey(), f.getValue()))));
        // an interface name breaks the kernel's rule: too long (bytes), . or .., a / or : or white space
        Arbitrary<String> badIfName = Arbitraries.oneOf(
                Arbitraries.strings().withCharRange('a', 'z').withChars('é', '"', '\'').ofMinLength(16).ofMaxLength(300),
                Arbitraries.strings().withCharRange('a', 'z').ofMaxLength(6).map(x -> x + "é".repeat(8)),
                Combinators.combine(Arbitraries.strings().withCharRange('a', 'z').ofMaxLength(5), Arbitraries.of("/", ":", " ", "\n", "\t",
                        "\u00a0", "\u2028", "/.."), Arbitraries.strings().withCharRange('a', 'z').ofMaxLength(5)).as((a, b, c) -> a + b + c),
                Arbitraries.of("", ".", ".."));
        Arbitrary<Input> env = Combinators.combine(verb, Arbitraries.of("CNI_CONTAINERID", "CNI_IFNAME", "CNI_NETNS"),
                badName().injectNull(0.1), badIfName)
                .as((v, var, badId, badIf) -> {
                    Map<String, String> e = goodEnv();
                    String val;
                    if (var.equals("CNI_NETNS")) {
                        v = v.equals("DEL") ? "ADD" : v; // DEL needs no CNI_NETNS
                        val = "";
                    } else if (var.equals("CNI_CONTAINERID")) {
                        val = badId == null ? "" : badId;
                    } else {
                        val = badIf;
                    }
                    if (val.isEmpty()) {
                        e.remove(var);
                    } else {
                        e.put(var, val);
                    }
                    return new Input(plugin, "env " + var, v, e, json(valid));
                });
        Arbitrary<Input> command = Arbitraries.oneOf(Arbitraries.of("add", "Add", "DELETE", "ADD ", "VERSION2", "GCC"),
                Arbitraries.strings().withCharRange('A', 'Z').ofMinLength(1).ofMaxLength(8)
                        .filter(c -> !Set.of("ADD", "DEL", "CHECK", "GC", "STATUS", "VERSION").contains(c)))
                .map(c -> new Input(plugin, "command", c, goodEnv(), json(valid)));
        // (no CNI_COMMAND at all is not bad input: the plugin prints what it is on stderr and exits 0, as Go's skel does)
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, notJson), net.jqwik.api.Tuple.of(1, notObject), net.jqwik.api.Tuple.of(2, name),
                net.jqwik.api.Tuple.of(2, version), net.jqwik.api.Tuple.of(3, wrongType), net.jqwik.api.Tuple.of(2, badValue),
                net.jqwik.api.Tuple.of(3, env), net.jqwik.api.Tuple.of(1, command));
    }

    // ------------------------------------------------------------------ the rule

    static void assertRefused(Input in, int exit, String stdout, String stderr) {
        String what = in + "\n-> exit " + exit + ", stdout: " + stdout + ", stderr: " + stderr;
        assertEquals(1, exit, what);
        JsonNode error;
        try {
            error = STRICT.readTree(stdout);
        } catch (IOException e) {
            throw new AssertionError("stdout is not exactly one JSON value: " + what, e);
        }
        assertTrue(error != null && error.isObject(), what);
        assertTrue(error.path("code").isIntegralNumber() && SPEC_CODES.contains(error.path("code").intValue()),
                "a spec code: " + what);
        assertFalse(error.path("msg").asText("").isBlank(), "a msg: " + what);
        assertFalse(stdout.contains("\tat ") || stderr.contains("\tat "), "no stack trace: " + what);
        assertFalse(stdout.matches("(?s).*\\b(java|jdk|com\\.fasterxml)\\.[\\w.$]+(Exception|Error)\\b.*"), "no exception class: " + what);
        assertEquals(List.of(), Store.files(DATA), "nothing in dataDir: " + what);
        CODES.computeIfAbsent(in.plugin() + " " + error.path("code").intValue(), k -> new AtomicInteger()).incrementAndGet();
    }

    static void inProcess(Input in) {
        PluginHarness.Outcome o = harness(in).runRaw(in.stdin());
        assertRefused(in, o.exitCode(), o.stdout(), o.stderr());
    }

    /** The in-process harness of an input: its plugin, its variables and command. */
    static PluginHarness harness(Input in) {
        PluginHarness h = PluginHarness.of(plugin(in.plugin())).env("CNI_PATH", "");
        for (String v : List.of("CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_PATH")) {
            h = h.env(v, in.env().getOrDefault(v, ""));
        }
        return h.env("CNI_COMMAND", in.command());
    }

    @Property(tries = 2500, afterFailure = net.jqwik.api.AfterFailureMode.RANDOM_SEED)
    void bridgeRefusesBadInputWithACodeAndMakesNothing(@ForAll("bridgeInputs") Input in) {
        inProcess(in);
    }

    @Property(tries = 2500, afterFailure = net.jqwik.api.AfterFailureMode.RANDOM_SEED)
    void ptpRefusesBadInputWithACodeAndMakesNothing(@ForAll("ptpInputs") Input in) {
        inProcess(in);
    }

    @Property(tries = 2500, afterFailure = net.jqwik.api.AfterFailureMode.RANDOM_SEED)
    void hostLocalRefusesBadInputWithACodeAndMakesNothing(@ForAll("hostLocalInputs") Input in) {
        inProcess(in);
    }

    @Property(tries = 2500, afterFailure = net.jqwik.api.AfterFailureMode.RANDOM_SEED)
    void portmapRefusesBadInputWithACodeAndMakesNothing(@ForAll("portmapInputs") Input in) {
        inProcess(in);
    }

    /**
     * A sample of the same inputs through the packaged executables (cold, or warm with
     * {@code -Djcni.test.warm=true}), two at a time.
     */
    @net.jqwik.api.Example
    void theExecutablesRefuseASampleTheSameWay() throws Exception {
        Calls.requireMode();
        int n = Calls.size("badInputExec", 24, 200);
        // an environment cannot carry a NUL byte through exec
        Arbitrary<Input> any = anyInputs().filter(i -> i.env().values().stream().noneMatch(v -> v.indexOf(0) >= 0));
        List<Input> sample = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sample.add(any.sample());
        }
        // and, for each plugin, a configuration whose name is not UTF-8: an exec that got other bytes
        // (a decoding and re-encoding on the way) would answer another error than the in-process call
        for (String plugin : List.of("bridge", "ptp", "host-local", "portmap")) {
            byte[] conf = ("{\"cniVersion\":\"1.0.0\",\"type\":\"" + plugin + "\",\"name\":\"n\u0001\"}")
                    .getBytes(StandardCharsets.UTF_8);
            conf[conf.length - 3] = (byte) 0xe9; // a lone Latin-1 byte: not UTF-8
            sample.add(new Input(plugin, "name not UTF-8", "ADD", goodEnv(), conf));
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        long ms;
        try {
            long t0 = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (Input in : sample) {
                done.add(pool.submit(() -> {
                    Map<String, String> env = new LinkedHashMap<>(in.env());
                    env.put("CNI_COMMAND", in.command());
                    // the generated bytes exactly (invalid UTF-8 included)
                    Dist.Run r = Dist.start(List.of(Dist.exe(in.plugin()).toString()), Calls.env(env), in.stdin()).finish();
                    assertRefused(in, r.exitCode(), r.stdout(), r.stderr());
                    // the same bytes in-process through the real skel: the same error
                    PluginHarness.Outcome o = harness(in).runRaw(in.stdin());
                    JsonNode exec = STRICT.readTree(r.stdout());
                    JsonNode here = STRICT.readTree(o.stdout());
                    assertEquals(here.path("code").asInt(), exec.path("code").asInt(), in + "\nexec: " + r.stdout() + "\nin-process: " + o.stdout());
                    assertEquals(here.path("msg").asText(), exec.path("msg").asText(), in + "\nexec: " + r.stdout() + "\nin-process: " + o.stdout());
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(10, TimeUnit.MINUTES);
            }
            ms = (System.nanoTime() - t0) / 1_000_000;
        } finally {
            pool.shutdownNow();
        }
        Calls.figure("bad input (executables)", sample.size() + " bad inputs (" + n + " generated, 4 not UTF-8) through the packaged executables (" + Calls.mode()
                + "): all refused with exit 1 and one coded error JSON, the in-process one, " + ms + " ms wall");
    }

    /** Nothing on the host: no link, no firewall rule naming the run; the dataDir is empty. */
    @AfterContainer
    static void nothingWasMade() throws IOException {
        try {
            Calls.figure("bad input (in-process)", "codes by plugin: " + new java.util.TreeMap<>(CODES));
            assertEquals(List.of(), Store.files(DATA), "dataDir");
            assertFalse(Kernel.exec("ip", "-o", "link", "show").ok().contains(BRIDGE), "no bridge " + BRIDGE);
            for (String cmd : List.of("iptables-save", "ip6tables-save")) {
                assertFalse(Kernel.exec(cmd).ok().contains(TAG), cmd + " names " + TAG);
            }
            assertFalse(Kernel.exec("nft", "list", "ruleset").ok().contains(TAG), "nft names " + TAG);
        } finally {
            dev.jcni.plugins.portmap.PortmapTraces.remove(TAG, TAG + "-c");
            try (var files = Files.walk(DATA)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
