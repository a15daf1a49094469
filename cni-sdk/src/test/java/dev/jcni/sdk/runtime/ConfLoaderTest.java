package dev.jcni.sdk.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.invoke.Loggers;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.NetConf;
import dev.jcni.sdk.types.NetConfList;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfLoaderTest {
    @TempDir
    Path dir;

    void write(String name, String json) throws Exception {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, json.replace('\'', '"'));
    }

    static List<String> types(NetConfList l) {
        return l.plugins().stream().map(NetConf::type).toList();
    }

    @Test
    void firstConflistInSortedOrderWins() throws Exception {
        write("20-b.conflist", "{'cniVersion':'1.0.0','name':'n','plugins':[{'type':'second'}]}");
        write("10-a.conflist", "{'cniVersion':'1.0.0','name':'n','plugins':[{'type':'first'}]}");
        assertEquals(List.of("first"), types(ConfLoader.loadNetworkConf(dir, "n")));
    }

    @Test
    void malformedUnrelatedFileIsSkippedAndReported() throws Exception {
        write("00-bad.conflist", "{");
        write("10-good.conflist", "{'cniVersion':'1.0.0','name':'good','plugins':[{'type':'bridge'}]}");
        List<String> log = new ArrayList<>();
        assertEquals("good", ConfLoader.loadNetworkConf(dir, "good", Loggers.collecting(log)).name());
        assertEquals(1, log.size());
        assertTrue(log.get(0).startsWith("WARNING skipping malformed CNI configuration " + dir.resolve("00-bad.conflist")
                + ": error parsing configuration list: "), log.get(0));
        ConfLoader.Loaded all = ConfLoader.loadAll(dir);
        assertEquals(List.of("good"), all.networks().stream().map(NetConfList::name).toList());
        assertEquals(List.of(dir.resolve("00-bad.conflist")), all.problems().stream().map(ConfLoader.Problem::file).toList());
    }

    @Test
    void notFoundErrorNamesSkippedFiles() throws Exception {
        write("00-bad.conflist", "{");
        CniException e = assertThrows(CniException.class, () -> ConfLoader.loadNetworkConf(dir, "x", Loggers.collecting(new ArrayList<>())));
        assertTrue(e.getMessage().startsWith("no net configuration with name \"x\" in " + dir + " (skipped 1 malformed file: "
                + dir.resolve("00-bad.conflist") + ": error parsing configuration list: "), e.getMessage());
        assertEquals(7, e.code());
    }

    @Test
    void malformedFileOfRequestedNetworkIsItsError() throws Exception {
        write("00-mine.conflist", "{'cniVersion':'1.0.0','name':'mine','disableCheck':'maybe','plugins':[{'type':'bridge'}]}");
        write("10-mine.conflist", "{'cniVersion':'1.0.0','name':'mine','plugins':[{'type':'bridge'}]}");
        CniException e = assertThrows(CniException.class, () -> ConfLoader.loadNetworkConf(dir, "mine"));
        assertTrue(e.getMessage().startsWith("error parsing configuration list: invalid value \"maybe\" for disableCheck"), e.getMessage());
    }

    @Test
    void siblingFolderPluginsAreAppendedInOrder() throws Exception {
        write("10-n.conflist", "{'cniVersion':'1.0.0','name':'n','plugins':[{'type':'inline'}]}");
        write("n/20-b.conf", "{'type':'b'}");
        write("n/10-a.conf", "{'type':'a'}");
        write("n/ignored.json", "{'type':'c'}");
        assertEquals(List.of("inline", "a", "b"), types(ConfLoader.loadNetworkConf(dir, "n")));
    }

    @Test
    void conflistWithoutPluginsTakesThemFromSiblingFolder() throws Exception {
        write("10-n.conflist", "{'cniVersion':'1.0.0','name':'n'}");
        write("n/10-a.conf", "{'type':'a'}");
        assertEquals(List.of("a"), types(ConfLoader.loadNetworkConf(dir, "n")));
        write("10-m.conflist", "{'cniVersion':'1.0.0','name':'m'}");
        assertEquals("no plugin configs found", assertThrows(CniException.class, () -> ConfLoader.loadNetworkConf(dir, "m")).getMessage());
    }

    @Test
    void loadOnlyInlinedPluginsIgnoresSiblingFolder() throws Exception {
        write("10-n.conflist", "{'cniVersion':'1.0.0','name':'n','loadOnlyInlinedPlugins':true,'plugins':[{'type':'inline'}]}");
        write("n/10-a.conf", "{'type':'a'}");
        assertEquals(List.of("inline"), types(ConfLoader.loadNetworkConf(dir, "n")));
    }

    @Test
    void singleConfIsUpconvertedToOnePluginList() throws Exception {
        write("10-x.conflist", "{'cniVersion':'1.0.0','name':'other','plugins':[{'type':'bridge'}]}");
        write("50-single.conf", "{'cniVersion':'0.4.0','name':'single','type':'ptp','ipMasq':true}");
        NetConfList l = ConfLoader.loadNetworkConf(dir, "single");
        assertEquals("0.4.0", l.cniVersion());
        assertEquals(List.of("ptp"), types(l));
        assertTrue(l.plugins().get(0).ipMasq());
    }

    @Test
    void emptyDirectoryHasNoConfigurations() {
        CniException e = assertThrows(CniException.class, () -> ConfLoader.loadNetworkConf(dir, "n"));
        assertEquals("no net configurations found in " + dir, e.getMessage());
        assertEquals(List.of(), ConfLoader.confFiles(dir.resolve("missing"), List.of(".conflist")));
    }

    @Test
    void confFilesMatchExtensionExactlyAndSkipDirectories() throws Exception {
        write("a.conflist", "{}");
        write("b.CONFLIST", "{}");
        write("c.conflist.bak", "{}");
        Files.createDirectories(dir.resolve("d.conflist"));
        assertEquals(List.of(dir.resolve("a.conflist")), ConfLoader.confFiles(dir, List.of(".conflist")));
    }

    @Test
    void laterFileNamingSameNetworkIsReportedByLoadAll() throws Exception {
        write("10-a.conflist", "{'cniVersion':'1.0.0','name':'n','plugins':[{'type':'first'}]}");
        write("20-b.conflist", "{'cniVersion':'1.0.0','name':'n','plugins':[{'type':'second'}]}");
        ConfLoader.Loaded all = ConfLoader.loadAll(dir);
        assertEquals(1, all.networks().size());
        assertEquals("network \"n\" is already defined by an earlier file", all.problems().get(0).error());
    }
}
