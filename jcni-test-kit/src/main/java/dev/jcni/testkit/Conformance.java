package dev.jcni.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.testing.PluginHarness;
import dev.jcni.sdk.testing.PluginHarness.Outcome;
import dev.jcni.sdk.types.Result;
import dev.jcni.sdk.version.SpecVersions;
import dev.jcni.sdk.version.Version;
import dev.jcni.testkit.ConformanceReport.Finding;
import dev.jcni.testkit.ConformanceReport.Status;
import dev.jcni.testkit.internal.Chain;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Checks a plugin against the rules of the CNI specification that every plugin must follow
 * ({@link Rule}), with a configuration of your choice, in temporary network namespaces. Needs root.
 *
 * <pre>{@code
 * ConformanceReport report = Conformance.of(new MyPlugin())
 *         .config("{\"cniVersion\":\"1.1.0\",\"name\":\"t\",\"type\":\"my\"}")
 *         .run();
 * System.out.print(report.toText());
 * }</pre>
 *
 * <p>What it does: VERSION; then, for every version from 0.1.0 to 1.1.0 that the plugin claims, in a
 * fresh namespace: ADD (the configuration with that {@code cniVersion}; a {@code prevResult} in it is
 * converted to that version), CHECK (0.4.0 and later), GC naming the attachment as valid and CHECK
 * again (1.1.0), DEL, DEL again, and a comparison of the namespace and of the host with how they were
 * before ADD: on the host, only what names this attachment counts (firewall lines with its container
 * id and the chains only they jump to, the host veths and routes of its ADD result's interfaces and
 * addresses, host-local reservations naming it), so that other work on the host cannot disturb it. Then, at
 * the configuration's own version: DEL without ADD, DEL after the namespace was deleted, a bad
 * environment (no {@code CNI_CONTAINERID}, no {@code CNI_NETNS}, an unknown {@code CNI_COMMAND}), a
 * configuration that is not JSON, one without a name, an unsupported version, and STATUS and GC
 * (1.1.0). Every error must be the error JSON alone on stdout.
 *
 * <p>Immutable: every setter returns a copy. For JUnit, {@link ConformanceTests} turns the report into
 * dynamic tests; on the command line, {@code jcni conformance} prints it.
 */
public final class Conformance {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);

    private final Function<TempNetns, PluginHarness> harness;
    private final String target;
    private final String config;
    private final Optional<String> cniPath;
    private final List<String> versions;

    private Conformance(Function<TempNetns, PluginHarness> harness, String target, String config,
                        Optional<String> cniPath, List<String> versions) {
        this.harness = harness;
        this.target = target;
        this.config = config;
        this.cniPath = cniPath;
        this.versions = List.copyOf(versions);
    }

    /**
     * @param plugin a plugin, run in-process through the real skel
     * @return a check with no configuration yet
     */
    public static Conformance of(Plugin plugin) {
        return new Conformance(ns -> ns.harness(plugin), plugin.getClass().getName() + " (in-process)", "",
                Optional.empty(), SpecVersions.ALL);
    }

    /**
     * @param executable a plugin executable, exec'd as a runtime does
     * @return a check with no configuration yet ({@code CNI_PATH} defaults to the executable's directory)
     */
    public static Conformance of(Path executable) {
        Path exe = executable.toAbsolutePath();
        return new Conformance(ns -> ns.harness(exe), exe.toString(), "", Optional.empty(), SpecVersions.ALL);
    }

    /**
     * @param json the plugin's configuration, as a runtime would pass it (with {@code name},
     *     {@code type}, {@code cniVersion}, {@code runtimeConfig}); or, for a chained plugin, a
     *     configuration list whose last plugin is the one checked: the plugins before it run first on
     *     each namespace of the check (ADD before, DEL after; found on {@link #cniPath}), which gives the
     *     plugin its interface and its {@code prevResult}
     * @return a copy with this configuration
     */
    public Conformance config(String json) {
        return new Conformance(harness, target, json, cniPath, versions);
    }

    /**
     * @param path {@code CNI_PATH} for the plugin's delegates (colon-separated directories)
     * @return a copy
     */
    public Conformance cniPath(String path) {
        return new Conformance(harness, target, config, Optional.of(path), versions);
    }

    /**
     * Limits the ADD/CHECK/DEL cycles to some versions (default: every version the plugin claims).
     *
     * @param onlyThese versions
     * @return a copy
     */
    public Conformance versions(List<String> onlyThese) {
        return new Conformance(harness, target, config, cniPath, onlyThese);
    }

    /** @return what runs, for a report */
    public String target() {
        return target;
    }

    /**
     * Runs every check. Each ADD happens in a namespace of its own that is removed afterwards.
     *
     * @return the report
     * @throws IllegalArgumentException when the configuration is not a JSON object
     */
    public ConformanceReport run() {
        ObjectNode base = parseConfig(config);
        if (base.has("plugins")) {
            try (Chain c = chain()) {
                base = parseConfig(c.config());
            }
        }
        String confVersion = base.path("cniVersion").asText("");
        if (confVersion.isEmpty()) {
            confVersion = SpecVersions.DEFAULT;
        }
        String describe = "name " + quote(base.path("name").asText("")) + ", type " + quote(base.path("type").asText(""))
                + ", cniVersion " + quote(confVersion);
        List<Finding> out = new ArrayList<>();
        List<String> claimed = version(confVersion, out);
        List<Outcome> errors = new ArrayList<>();

        for (String v : SpecVersions.ALL) {
            if (claimed.contains(v) && versions.contains(v)) {
                cycle(base, v, claimed, out);
            }
        }
        String v = confVersion;
        delWithoutAdd(base, v, out);
        delNetnsGone(base, v, out);
        badInput(base, v, out, errors);
        if (claimed.contains("1.1.0")) {
            status(base, out);
        } else {
            out.add(new Finding(Rule.STATUS, "", Status.NOT_APPLICABLE, "the plugin does not claim 1.1.0"));
            out.add(new Finding(Rule.GC, "", Status.NOT_APPLICABLE, "the plugin does not claim 1.1.0"));
        }
        errorFields(errors, v, out);
        return new ConformanceReport(target, describe, claimed, out);
    }

    // ------------------------------------------------------------------------------------------ checks

    private List<String> version(String confVersion, List<Finding> out) {
        Outcome o;
        try (TempNetns ns = TempNetns.create()) {
            o = h(ns).run("VERSION", "{\"cniVersion\":\"" + confVersion + "\"}");
        }
        List<String> claimed = new ArrayList<>();
        JsonNode n = strict(o.stdout());
        if (o.exitCode() != 0 || n == null || !n.path("supportedVersions").isArray()) {
            out.add(new Finding(Rule.VERSION_LISTS_CONFIG, "", Status.BROKEN, "VERSION did not answer " + show(o)));
            out.add(new Finding(Rule.VERSION_ECHOES_INPUT, "", Status.NOT_APPLICABLE, "no VERSION answer"));
            claimed.add(confVersion);
            return claimed;
        }
        n.get("supportedVersions").forEach(x -> claimed.add(x.asText()));
        out.add(claimed.contains(confVersion)
                ? new Finding(Rule.VERSION_LISTS_CONFIG, "", Status.HOLDS, "")
                : new Finding(Rule.VERSION_LISTS_CONFIG, "", Status.BROKEN,
                        "supportedVersions " + claimed + " lacks " + quote(confVersion)));
        String echoed = n.path("cniVersion").asText("");
        out.add(echoed.equals(confVersion)
                ? new Finding(Rule.VERSION_ECHOES_INPUT, "", Status.HOLDS, "")
                : new Finding(Rule.VERSION_ECHOES_INPUT, "", Status.BROKEN,
                        "answered cniVersion " + quote(echoed) + " for input " + quote(confVersion)));
        return claimed;
    }

    /** ADD, CHECK, (GC, CHECK), DEL, DEL, and the namespace compared with before. */
    private void cycle(ObjectNode plain, String v, List<String> claimed, List<Finding> out) {
        try (TempNetns ns = TempNetns.create(); Chain chain = chain()) {
            ObjectNode base = on(ns, chain, plain);
            TempNetns.Snapshot before = ns.snapshot();
            PluginHarness h = h(ns);
            String conf;
            try {
                conf = at(base, v);
            } catch (RuntimeException e) {
                out.add(new Finding(Rule.ADD_RESULT, v, Status.NOT_APPLICABLE,
                        "the configuration's prevResult cannot be given at " + v + ": " + e.getMessage()));
                return;
            }
            HostTraces host = HostTraces.of(ns.containerId(), parseConfig(conf));
            HostTraces.Reading hostBefore = host.read();
            Outcome add = h.run("ADD", conf);
            HostTraces.Reading hostAfterAdd = host.read();
            List<String> problems = add.exitCode() != 0 ? List.of("ADD failed: " + show(add)) : ResultShape.problems(add.stdout(), v);
            out.add(new Finding(Rule.ADD_RESULT, v, problems.isEmpty() ? Status.HOLDS : Status.BROKEN,
                    problems.isEmpty() ? "" : String.join("\n", problems) + (add.exitCode() == 0 ? "\nstdout: " + add.stdout().trim() : "")));
            boolean added = add.exitCode() == 0 && strict(add.stdout()) != null;
            boolean withPrev = Version.greaterThanOrEqualTo(v, "0.4.0");
            String confWithResult = added && withPrev ? withPrevResult(conf, add.stdout()) : conf;
            if (withPrev) {
                if (added) {
                    out.add(quiet(Rule.CHECK_AFTER_ADD, v, h.run("CHECK", confWithResult)));
                } else {
                    out.add(new Finding(Rule.CHECK_AFTER_ADD, v, Status.NOT_APPLICABLE, "ADD failed"));
                }
            }
            if (v.equals("1.1.0") && claimed.contains("1.1.0")) {
                if (added) {
                    ObjectNode gc = parseConfig(conf);
                    gc.remove("prevResult");
                    ArrayNode valid = gc.putArray("cni.dev/valid-attachments");
                    valid.addObject().put("containerID", ns.containerId()).put("ifname", "eth0");
                    gc.set("cni.dev/attachments", valid.deepCopy());
                    Finding f = quiet(Rule.GC, v, h.run("GC", gc.toString()));
                    if (f.status() == Status.HOLDS) {
                        Outcome again = h.run("CHECK", confWithResult);
                        if (again.exitCode() != 0) {
                            f = new Finding(Rule.GC, v, Status.BROKEN,
                                    "CHECK fails after a GC that named the attachment valid: " + show(again));
                        }
                    }
                    out.add(f);
                } else {
                    out.add(new Finding(Rule.GC, v, Status.NOT_APPLICABLE, "ADD failed"));
                }
            }
            out.add(quiet(Rule.DEL, v, h.run("DEL", confWithResult)));
            out.add(quiet(Rule.DEL_AGAIN, v, h.run("DEL", confWithResult)));
            List<String> inNs = new ArrayList<>(ns.snapshot().addedSince(before));
            if (chain.isChained()) {
                // the kernel gives the chain's interface an IPv6 link-local address and its routes on its own,
                // some time after the chain brought it up: they are not the plugin's
                inNs.removeIf(line -> line.contains(" fe80:"));
            }
            List<String> left = new ArrayList<>();
            inNs.forEach(l -> left.add("in the namespace: " + l));
            host.left(hostBefore, hostAfterAdd, added ? strict(add.stdout()) : null, host.read())
                    .forEach(l -> left.add("on the host: " + l));
            out.add(left.isEmpty() ? new Finding(Rule.NOTHING_LEFT, v, Status.HOLDS, "")
                    : new Finding(Rule.NOTHING_LEFT, v, Status.BROKEN, "left behind:\n" + String.join("\n", left)));
        }
    }

    private void delWithoutAdd(ObjectNode plain, String v, List<Finding> out) {
        try (TempNetns ns = TempNetns.create(); Chain chain = chain()) {
            ObjectNode base = on(ns, chain, plain);
            out.add(quiet(Rule.DEL_WITHOUT_ADD, "", h(ns).run("DEL", at(base, v))));
        }
    }

    private void delNetnsGone(ObjectNode plain, String v, List<Finding> out) {
        TempNetns ns = TempNetns.create();
        try (Chain chain = chain()) {
            ObjectNode base = on(ns, chain, plain);
            PluginHarness h = h(ns);
            String conf = at(base, v);
            Outcome add = h.run("ADD", conf);
            if (add.exitCode() != 0) {
                out.add(new Finding(Rule.DEL_NETNS_GONE, "", Status.NOT_APPLICABLE, "ADD failed: " + show(add)));
                h.run("DEL", conf);
                return;
            }
            String withResult = Version.greaterThanOrEqualTo(v, "0.4.0") ? withPrevResult(conf, add.stdout()) : conf;
            ns.close();
            out.add(quiet(Rule.DEL_NETNS_GONE, "", h.run("DEL", withResult)));
        } finally {
            ns.close();
        }
    }

    private void badInput(ObjectNode plain, String v, List<Finding> out, List<Outcome> errors) {
        try (TempNetns ns = TempNetns.create(); Chain chain = chain()) {
            ObjectNode base = on(ns, chain, plain);
            PluginHarness h = h(ns);
            String conf = at(base, v);
            out.add(error(Rule.BAD_ENVIRONMENT, "no CNI_CONTAINERID", 4, h.env("CNI_CONTAINERID", "").run("ADD", conf), errors));
            out.add(error(Rule.BAD_ENVIRONMENT, "no CNI_NETNS", 4, h.env("CNI_NETNS", "").run("ADD", conf), errors));
            out.add(error(Rule.BAD_ENVIRONMENT, "unknown CNI_COMMAND", 4, h.run("NOSUCHVERB", conf), errors));
            out.add(error(Rule.BAD_CONFIG_JSON, "", 6, h.run("ADD", "{\"cniVersion\": \"" + v + "\", \"name\": "), errors));
            ObjectNode noName = parseConfig(conf);
            noName.remove("name");
            out.add(error(Rule.BAD_CONFIG_NAME, "", 7, h.run("ADD", noName.toString()), errors));
            ObjectNode future = parseConfig(conf);
            future.put("cniVersion", "99.0.0");
            future.remove("prevResult");
            out.add(error(Rule.UNSUPPORTED_VERSION, "", 1, h.run("ADD", future.toString()), errors));
            // whatever a refused call may have made, the namespace goes with ns; DEL the host side too
            h.run("DEL", conf);
        }
    }

    private void status(ObjectNode plain, List<Finding> out) {
        try (TempNetns ns = TempNetns.create(); Chain chain = chain()) {
            ObjectNode base = on(ns, chain, plain);
            PluginHarness h = h(ns);
            ObjectNode conf = parseConfig(at(base, "1.1.0"));
            conf.remove("prevResult");
            conf.remove("runtimeConfig");
            Outcome st = h.run("STATUS", conf.toString());
            if (st.exitCode() == 0) {
                out.add(quiet(Rule.STATUS, "", st));
            } else {
                JsonNode e = strict(st.stdout());
                int code = e == null ? -1 : e.path("code").asInt(-1);
                out.add(code == 50 || code == 51 ? new Finding(Rule.STATUS, "", Status.HOLDS, "not ready: " + st.stdout().trim())
                        : new Finding(Rule.STATUS, "", Status.BROKEN, "expected success or code 50/51: " + show(st)));
            }
            conf.putArray("cni.dev/valid-attachments");
            conf.putArray("cni.dev/attachments");
            out.add(quiet(Rule.GC, "no attachments", h.run("GC", conf.toString())));
        }
    }

    private static void errorFields(List<Outcome> errors, String v, List<Finding> out) {
        List<String> problems = new ArrayList<>();
        for (Outcome o : errors) {
            JsonNode n = strict(o.stdout());
            if (n == null || !n.isObject()) {
                continue;
            }
            List<String> missing = new ArrayList<>();
            if (!n.path("cniVersion").isTextual()) {
                missing.add("cniVersion");
            }
            if (!n.path("code").isIntegralNumber()) {
                missing.add("code");
            }
            if (!n.path("msg").isTextual()) {
                missing.add("msg");
            }
            if (!missing.isEmpty()) {
                problems.add("no " + String.join(", ", missing) + " in " + o.stdout().replaceAll("\\s+", " ").trim());
            }
        }
        out.add(problems.isEmpty() ? new Finding(Rule.ERROR_FIELDS, "", Status.HOLDS, "")
                : new Finding(Rule.ERROR_FIELDS, "", Status.BROKEN, String.join("\n", problems)));
    }

    // ------------------------------------------------------------------------------------------ helpers

    /**
     * A configuration list's first plugins, the chain a chained plugin follows (found on the check's
     * {@code CNI_PATH}); none for a plugin's own configuration.
     */
    private Chain chain() {
        return Chain.of(config, List.of(cniPath.orElse("").split(":")));
    }

    /** The configuration for a namespace: with the chain's result as prevResult once its ADD ran there. */
    private static ObjectNode on(TempNetns ns, Chain chain, ObjectNode plain) {
        if (!chain.isChained()) {
            return plain;
        }
        try {
            return parseConfig(chain.add(ns.containerId(), ns.path().toString(), "eth0"));
        } catch (RuntimeException e) {
            throw new IllegalStateException("the chain before the plugin failed: " + e.getMessage(), e);
        }
    }

    private PluginHarness h(TempNetns ns) {
        PluginHarness h = harness.apply(ns);
        return cniPath.map(p -> h.env("CNI_PATH", p)).orElse(h);
    }

    /** Success with nothing (but white space) on stdout. */
    private static Finding quiet(Rule rule, String qualifier, Outcome o) {
        if (o.exitCode() == 0 && o.stdout().isBlank()) {
            return new Finding(rule, qualifier, Status.HOLDS, "");
        }
        return new Finding(rule, qualifier, Status.BROKEN,
                o.exitCode() == 0 ? "succeeded but printed on stdout: " + o.stdout().trim() : "failed: " + show(o));
    }

    /** A failure whose stdout is exactly one error JSON with the expected code. */
    private static Finding error(Rule rule, String qualifier, int code, Outcome o, List<Outcome> errors) {
        if (o.exitCode() == 0) {
            return new Finding(rule, qualifier, Status.BROKEN, "expected code " + code + ", but it succeeded: " + show(o));
        }
        errors.add(o);
        JsonNode n = strict(o.stdout());
        if (n == null || !n.isObject()) {
            return new Finding(rule, qualifier, Status.BROKEN, "stdout is not one error JSON object: " + show(o));
        }
        int got = n.path("code").asInt(-1);
        if (got != code) {
            return new Finding(rule, qualifier, Status.BROKEN, "expected code " + code + ", got " + show(o));
        }
        return new Finding(rule, qualifier, Status.HOLDS, n.path("msg").asText(""));
    }

    private static String show(Outcome o) {
        String s = "exit " + o.exitCode() + ", stdout: " + (o.stdout().isBlank() ? "(nothing)" : o.stdout().replaceAll("\\s+", " ").trim());
        String err = o.stderr().trim();
        if (!err.isEmpty()) {
            s += "\nstderr: " + (err.length() > 600 ? err.substring(0, 600) + "..." : err);
        }
        return s;
    }

    /** The configuration at version v; a prevResult in it converted to v. */
    private static String at(ObjectNode base, String v) {
        ObjectNode c = base.deepCopy();
        c.put("cniVersion", v);
        JsonNode prev = c.get("prevResult");
        if (prev != null && prev.isObject()) {
            byte[] bytes = prev.toString().getBytes(StandardCharsets.UTF_8);
            String from = prev.path("cniVersion").asText(base.path("cniVersion").asText(SpecVersions.DEFAULT));
            Result r = Result.fromJson(bytes, from);
            try {
                c.set("prevResult", JSON.readTree(r.convertTo(v).toJson()));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return c.toString();
    }

    private static String withPrevResult(String conf, String result) {
        ObjectNode c = parseConfig(conf);
        c.set("prevResult", strict(result));
        return c.toString();
    }

    private static ObjectNode parseConfig(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException("the configuration must be a JSON object");
            }
            return (ObjectNode) n;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the configuration is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** @return the one JSON value on stdout, or null when stdout is not exactly one JSON value */
    static JsonNode strict(String stdout) {
        if (stdout.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(stdout);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }
}
