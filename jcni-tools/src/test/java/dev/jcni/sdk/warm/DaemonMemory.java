package dev.jcni.sdk.warm;

import dev.jcni.sdk.testsupport.Kernel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The memory of a daemon JVM, for the figures the warm tests print: its RSS, and its heap in use after a full GC. */
final class DaemonMemory {
    private DaemonMemory() {
    }

    /**
     * @param pid the daemon JVM's pid
     * @return e.g. {@code "RSS 80 MiB, heap 12 MiB used of 40 MiB"}
     */
    static String of(long pid) {
        return "RSS " + rssKib(pid) / 1024 + " MiB, heap " + heap(pid);
    }

    /** @return VmRSS in KiB, -1 when unknown */
    static long rssKib(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // unknown
        }
        return -1;
    }

    private static String heap(long pid) {
        try {
            Path jcmd = Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).resolveSibling("jcmd");
            Kernel.exec(jcmd.toString(), String.valueOf(pid), "GC.run");
            String info = Kernel.exec(jcmd.toString(), String.valueOf(pid), "GC.heap_info").stdout();
            // the heap's generations (Serial, Parallel) or the whole heap (G1): "total NK, used NK"
            Matcher m = Pattern.compile("total (\\d+)K, used (\\d+)K").matcher(info);
            long total = 0;
            long used = 0;
            boolean found = false;
            while (m.find()) {
                total += Long.parseLong(m.group(1));
                used += Long.parseLong(m.group(2));
                found = true;
            }
            return found ? used / 1024 + " MiB used of " + total / 1024 + " MiB" : "unknown (" + info.strip() + ")";
        } catch (IOException | RuntimeException e) {
            return "unknown (" + e + ")";
        }
    }
}
