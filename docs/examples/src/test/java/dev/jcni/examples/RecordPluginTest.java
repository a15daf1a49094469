package dev.jcni.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.testing.PluginHarness;
import dev.jcni.sdk.testing.PluginHarness.Outcome;
import dev.jcni.sdk.types.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every verb and every part of the harness, on the example of docs/plugin-authors.md. */
class RecordPluginTest {
    @TempDir
    Path tmp;
    PluginHarness harness;
    String conf;

    /** An IPAM plugin for the test: a shell script on CNI_PATH that always hands out 10.9.0.5/24. */
    @BeforeEach
    void fakeIpam() throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path ipam = bin.resolve("fake-ipam");
        Files.writeString(ipam, "#!/bin/sh\n"
                + "[ \"$CNI_COMMAND\" = ADD ] && echo '{\"cniVersion\":\"1.1.0\",\"ips\":[{\"address\":\"10.9.0.5/24\"}]}'\n"
                + "exit 0\n");
        Files.setPosixFilePermissions(ipam, PosixFilePermissions.fromString("rwxr-xr-x"));
        harness = PluginHarness.of(new RecordPlugin())
                .env("CNI_PATH", bin.toString())
                .attachment("c1", "/run/netns/c1", "eth0");
        conf = "{\"cniVersion\":\"1.1.0\",\"name\":\"net1\",\"type\":\"record\",\"dataDir\":\"" + tmp.resolve("data")
                + "\",\"ipam\":{\"type\":\"fake-ipam\"}}";
    }

    @Test
    void addDelegatesToIpamAndRecordsTheAttachment() {
        Result result = harness.run("ADD", conf).result();
        assertEquals("10.9.0.5/24", result.ips().get(0).address().toString());
        assertTrue(Files.exists(tmp.resolve("data/net1/c1-eth0")));
        assertTrue(harness.run("CHECK", conf).succeeded());
    }

    @Test
    void delRemovesTheRecordAndSucceedsTwice() {
        harness.run("ADD", conf).result();
        assertTrue(harness.run("DEL", conf).succeeded());
        assertTrue(harness.run("DEL", conf).succeeded());
        assertFalse(Files.exists(tmp.resolve("data/net1/c1-eth0")));
        assertEquals(3, harness.run("CHECK", conf).error().code());
    }

    @Test
    void gcKeepsOnlyTheValidAttachments() {
        harness.run("ADD", conf).result();
        harness.env("CNI_CONTAINERID", "c2").run("ADD", conf).result();
        String gc = conf.replace("\"type\":\"record\"",
                "\"type\":\"record\",\"cni.dev/valid-attachments\":[{\"containerID\":\"c2\",\"ifname\":\"eth0\"}]");
        Outcome out = PluginHarness.of(new RecordPlugin()).env("CNI_PATH", tmp.resolve("bin").toString()).run("GC", gc);
        assertTrue(out.succeeded(), out.toString());
        assertEquals(List.of("c2-eth0"), List.of(tmp.resolve("data/net1").toFile().list()));
    }

    @Test
    void statusIsCode50UntilTheDataDirExists() throws IOException {
        assertEquals(50, harness.run("STATUS", conf).error().code());
        Files.createDirectories(tmp.resolve("data"));
        assertTrue(harness.run("STATUS", conf).succeeded());
    }

    @Test
    void versionAnswersTheVersionsOfVersionInfo() {
        assertEquals(List.of("0.4.0", "1.0.0", "1.1.0"), harness.run("VERSION", "{\"cniVersion\":\"1.1.0\"}").versionInfo().supportedVersions());
        // a configuration of a version the plugin does not support: code 1
        assertEquals(1, harness.run("ADD", conf.replace("1.1.0", "0.3.1")).error().code());
    }

    @Test
    void withoutCniCommandItPrintsAbout() {
        Outcome out = harness.run("", "");
        assertEquals(0, out.exitCode());
        assertTrue(out.stderr().startsWith("CNI record plugin (jcni example)"), out.stderr());
    }

    @Test
    void logsGoToStderrAtTheChosenLevel() {
        Outcome quiet = harness.run("ADD", conf);
        assertFalse(quiet.stderr().contains("recorded"), quiet.stderr());
        Outcome debug = harness.env("JCNI_LOG_LEVEL", "debug").env("CNI_CONTAINERID", "c3").run("ADD", conf);
        assertTrue(debug.stderr().contains("recorded"), debug.stderr());
    }
}
