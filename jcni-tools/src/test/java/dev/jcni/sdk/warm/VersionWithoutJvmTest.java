package dev.jcni.sdk.warm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.internal.PluginLoader;
import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.PluginMain;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.WarmDist;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * VERSION without a JVM (issue 22): the shim answers the common well-formed VERSION call from the
 * answer {@code jcni package} recorded ({@code lib/version/<plugin>.json}), byte for byte the JVM's
 * answer; every other input goes on to the JVM, its stdin intact. A generated corpus of inputs (well
 * formed and not, near the edges of the shim's strict check) is run through the packaged shim, whose
 * cold path is a stand-in launcher that records what it was given, and compared with the JVM's
 * answer ({@link PluginMain#execute}, the code a plugin's JVM and the daemon run).
 */
class VersionWithoutJvmTest {
    static final String PLUGIN = "warmtest";
    static Path dir;
    static Path dist;
    static Path stand;
    static Plugin plugin;

    @BeforeContainer
    static void packageIt() throws Exception {
        dir = Files.createTempDirectory("jcni-version");
        dist = dir.resolve("dist");
        // trained (the answers are recorded with the training), with this JVM only
        Kernel.ExecResult r = Kernel.exec(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                WarmDist.testClassPath(), "dev.jcni.sdk.cli.Main", "package", "--name", "vers" + Kernel.uniqueName("").substring(0, 6),
                "--out", dist.toString(), "--class-path", WarmDist.testClassPath(), "--java", System.getProperty("java.home"),
                "--plugin", PLUGIN + "=" + WarmTestPlugin.class.getName());
        assertEquals(0, r.exitCode(), r.stderr() + r.stdout());
        assertTrue(Files.isExecutable(dist.resolve("lib/jcni-shim")), "no shim (gcc?): " + r.stderr());
        // the cold path's stand-in: records its arguments and stdin, answers nothing
        stand = dir.resolve("stand-in");
        Files.writeString(stand, "#!/bin/sh\nprintf '%s\\n' \"$@\" > " + dir.resolve("args") + "\ncat > " + dir.resolve("stdin")
                + "\nexit 3\n");
        Files.setPosixFilePermissions(stand, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        plugin = PluginLoader.load(WarmTestPlugin.class.getName()).orElseThrow();
    }

    @AfterContainer
    static void clean() throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** The JVM's answer to VERSION with these stdin bytes. */
    static byte[] jvm(byte[] stdin) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = PluginMain.execute(plugin, Map.of("CNI_COMMAND", "VERSION"), new ByteArrayInputStream(stdin), out,
                new java.io.PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertEquals(0, code);
        return out.toByteArray();
    }

    /** The shim's outcome: its answer (exit 0), or the stand-in's exit 3 when it went on to the JVM. */
    static WarmDist.Run shim(byte[] stdin, Map<String, String> extraEnv) throws IOException {
        Files.deleteIfExists(dir.resolve("stdin"));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        env.put("CNI_COMMAND", "VERSION");
        env.put("JCNI_WARM", "off");
        env.putAll(extraEnv);
        return WarmDist.exec(List.of(dist.resolve("lib/jcni-shim").toString(), "/run/jcni/nonexistent-" + PLUGIN + ".sock", "id",
                PLUGIN, stand.toString()), env, stdin, dir);
    }

    static void assertAnsweredOrHandedOn(byte[] stdin, WarmDist.Run r) throws IOException {
        if (r.exitCode() == 0) {
            assertArrayEquals(jvm(stdin), r.stdout(), () -> "answer to " + new String(stdin, StandardCharsets.ISO_8859_1)
                    + ": shim " + r.out() + " JVM " + new String(jvm(stdin), StandardCharsets.UTF_8));
        } else {
            assertEquals(3, r.exitCode(), r.toString());
            assertEquals("", r.out(), "nothing on stdout before the JVM");
            assertArrayEquals(stdin, Files.readAllBytes(dir.resolve("stdin")), "the JVM's path gets stdin intact");
            assertEquals("--jcni-cold\n", Files.readString(dir.resolve("args")));
        }
    }

    /** The common well-formed case is answered without a JVM, as the JVM answers it. */
    @Property(tries = 200)
    void theCommonCaseIsAnsweredAsTheJvmAnswersIt(@ForAll("common") String conf) throws IOException {
        byte[] stdin = conf.getBytes(StandardCharsets.UTF_8);
        WarmDist.Run r = shim(stdin, Map.of());
        assertEquals(0, r.exitCode(), () -> "not answered: " + conf + " " + r);
        assertArrayEquals(jvm(stdin), r.stdout(), () -> conf + ": shim " + r.out() + " JVM " + new String(jvm(stdin),
                StandardCharsets.UTF_8));
    }

    /** Any input: either the JVM's answer, byte for byte, or handed on to the JVM with stdin intact. */
    @Property(tries = 400)
    void anyInputGetsTheJvmsAnswerOrGoesToTheJvm(@ForAll("any") byte[] stdin) throws IOException {
        assertAnsweredOrHandedOn(stdin, shim(stdin, Map.of()));
    }

    /** What the shim cannot know goes to the JVM: a log setting, arguments, another command. */
    @Example
    void logSettingsArgumentsAndOtherCommandsGoToTheJvm() throws IOException {
        byte[] conf = "{\"cniVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8);
        assertEquals(3, shim(conf, Map.of("JCNI_LOG_LEVEL", "debug")).exitCode());
        assertEquals(3, shim(conf, Map.of("JCNI_LOG_FILE", dir.resolve("log").toString())).exitCode());
        assertEquals(3, shim(conf, Map.of("CNI_COMMAND", "ADD")).exitCode());
        Map<String, String> env = Map.of("PATH", "/usr/bin:/bin", "CNI_COMMAND", "VERSION", "JCNI_WARM", "off");
        WarmDist.Run withArg = WarmDist.exec(List.of(dist.resolve("lib/jcni-shim").toString(), "/nonexistent.sock", "id",
                PLUGIN, stand.toString(), "x"), env, conf, dir);
        assertEquals(3, withArg.exitCode(), withArg.toString());
        assertEquals(0, shim(conf, Map.of()).exitCode(), "the same call without them is answered");
    }

    /** Through the launcher, without a daemon: the same bytes as the launcher's cold path (the JVM). */
    @Example
    void theLauncherAnswersAsItsColdPath() {
        byte[] conf = "{ \"cniVersion\" : \"0.4.0\", \"name\": \"n\" }\n".getBytes(StandardCharsets.UTF_8);
        Map<String, String> env = Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", "CNI_COMMAND", "VERSION", "JCNI_WARM", "off");
        WarmDist.Run fast = WarmDist.exec(List.of(dist.resolve("bin").resolve(PLUGIN).toString()), env, conf, dir);
        WarmDist.Run cold = WarmDist.exec(List.of(dist.resolve("bin").resolve(PLUGIN).toString(), "--jcni-cold"), env, conf, dir);
        assertEquals(0, fast.exitCode(), fast.toString());
        assertEquals(0, cold.exitCode(), cold.toString());
        assertArrayEquals(cold.stdout(), fast.stdout(), fast.out() + " / " + cold.out());
        assertTrue(fast.out().startsWith("{\"cniVersion\":\"0.4.0\""), fast.out());
    }

    // ------------------------------------------------------------------ the corpus

    static Arbitrary<String> ws() {
        return Arbitraries.of("", "", " ", "\n", "\t", "\r\n", "  ");
    }

    static Arbitrary<String> safeVersion() {
        return Arbitraries.oneOf(Arbitraries.of("0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0", "2.0.0", ""),
                Arbitraries.strings().withChars("0123456789.abzAZ_+-").ofMinLength(1).ofMaxLength(12));
    }

    static Arbitrary<String> scalar() {
        return Arbitraries.oneOf(Arbitraries.of("true", "false", "null", "0", "-0", "12", "-3.25", "1e5", "2E-3", "1.5e+10",
                        "123456789012345678901234567890", "\"\"", "\"text\"", "\"a\\\"b\\\\c\\/d\\n\\t\"", "{}", "[]"),
                Arbitraries.strings().withChars("abc xyz-_.:/").ofMaxLength(10).map(s -> "\"" + s + "\""));
    }

    static Arbitrary<String> value() {
        return Arbitraries.lazyOf(VersionWithoutJvmTest::scalar, VersionWithoutJvmTest::scalar, VersionWithoutJvmTest::scalar,
                () -> value().list().ofMaxSize(3).map(l -> "[" + String.join(",", l) + "]"),
                () -> Combinators.combine(Arbitraries.of("a", "b", "name", "type"), value()).as((k, v) -> "{\"" + k + "\":" + v + "}"));
    }

    /** A configuration object: fields, the cniVersion somewhere (or not), white space anywhere. */
    @Provide
    Arbitrary<String> common() {
        Arbitrary<String> field = Combinators.combine(Arbitraries.of("name", "type", "ipam", "plugins", "x-y", "cniVersions"),
                ws(), value(), ws()).as((k, w, v, w2) -> "\"" + k + "\"" + w + ":" + w2 + v);
        Arbitrary<String> version = Combinators.combine(ws(), safeVersion(), ws()).as((w, v, w2) -> "\"cniVersion\"" + w + ":" + w2
                + "\"" + v + "\"");
        return Combinators.combine(field.list().ofMaxSize(4), version.list().ofMaxSize(2), ws(), ws(), Arbitraries.integers()
                .between(0, 4)).as((fields, versions, w, w2, at) -> {
                    List<String> all = new ArrayList<>(fields);
                    for (String v : versions) {
                        all.add(Math.min(at, all.size()), v);
                    }
                    return w + "{" + w2 + String.join("," + w2, all) + w + "}" + w2;
                });
    }

    /** The common case, mutated: bytes cut, replaced, inserted; other cniVersion values and odd bytes. */
    @Provide
    Arbitrary<byte[]> any() {
        Arbitrary<String> odd = Arbitraries.of("{\"cniVersion\":\"1.0.0 \"}", "{\"cniVersion\":\"1.0.0\\u0030\"}",
                "{\"cni\\u0056ersion\":\"9.9.9\"}", "{\"cniVersion\":1.0}", "{\"cniVersion\":null}", "{\"cniVersion\":\"1.0.0\"} x",
                "{\"cniVersion\":\"1.0.0\",}", "{\"cniVersion\":\"1.0.0\"}{}", "[{\"cniVersion\":\"1.0.0\"}]", "\"1.0.0\"", "",
                " ", "{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":1e}", "{\"a\":1e1000}", "{\"a\":+1}", "{\"a\":tru}",
                "{\"a\":\"\t\"}", "{\"cniVersion\":\"é\"}", "{\"cniVersion\":\"1.0.0\",\"cniVersion\":\"0.4.0\"}",
                "{\"cniVersion\":\"1.0.0\",\"cniVersion\":7}", "{\"cniVersion\":\"" + "9".repeat(70) + "\"}",
                "{\"a\":" + "[".repeat(40) + "]".repeat(40) + "}", "{\"a\":\"\\x\"}", "{'cniVersion':'1.0.0'}",
                "\uFEFF{\"cniVersion\":\"1.0.0\"}", "{\"cniVersion\":\"1.0.0\"/*c*/}", "{\"a\":NaN}");
        Arbitrary<byte[]> mutated = Combinators.combine(common(), Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 10_000), Arbitraries.bytes()).as((s, op, at, b) -> {
                    byte[] x = s.getBytes(StandardCharsets.UTF_8);
                    if (x.length == 0) {
                        return x;
                    }
                    int i = at % x.length;
                    return switch (op) {
                        case 0 -> java.util.Arrays.copyOf(x, i);
                        case 1 -> {
                            x[i] = b;
                            yield x;
                        }
                        case 2 -> {
                            byte[] y = new byte[x.length + 1];
                            System.arraycopy(x, 0, y, 0, i);
                            y[i] = b;
                            System.arraycopy(x, i, y, i + 1, x.length - i);
                            yield y;
                        }
                        default -> x;
                    };
                });
        return Arbitraries.oneOf(mutated, odd.map(s -> s.getBytes(StandardCharsets.UTF_8)),
                common().map(s -> s.getBytes(StandardCharsets.UTF_8)));
    }
}
