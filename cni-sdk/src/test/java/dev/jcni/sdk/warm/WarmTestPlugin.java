package dev.jcni.sdk.warm;

import dev.jcni.sdk.internal.CallContext;
import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.PluginMain;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import dev.jcni.sdk.types.Interface;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.IpConfig;
import dev.jcni.sdk.types.IpPrefix;
import dev.jcni.sdk.types.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A plugin for warm-mode tests, run cold (its own JVM) and warm (the daemon). Configuration keys:
 * {@code record} (a file: ADD writes there what it saw: working directory, environment, a relative
 * path resolved, and what a child process saw; DEL appends a line), {@code sleepMs} (ADD sleeps,
 * leaving {@code <record>.started} and then {@code .finished} or {@code .interrupted}),
 * {@code fail} (ADD throws), {@code retire} (ADD retires its thread), {@code stray} (ADD prints on
 * System.out and System.err), {@code count} (a file: ADD appends its container id and a line feed),
 * {@code bigError} (ADD fails with that text as its error message).
 */
public final class WarmTestPlugin implements Plugin {

    public static void main(String[] args) {
        PluginMain.run(new WarmTestPlugin());
    }

    private static String text(Request r, String key) {
        return r.netConf().get(key).map(String::valueOf).orElse("");
    }

    @Override
    public Result add(Request r) throws Exception {
        String count = text(r, "count");
        if (!count.isEmpty()) {
            Files.writeString(r.resolvePath(count), r.containerId() + "\n", java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        }
        String big = text(r, "bigError");
        if (!big.isEmpty()) {
            throw new CniException(ErrorCodes.INTERNAL, big);
        }
        String record = text(r, "record");
        if (!record.isEmpty()) {
            Path file = r.resolvePath(record);
            StringBuilder b = new StringBuilder();
            b.append("cwd=").append(r.workingDirectory()).append('\n');
            b.append("resolved=").append(r.resolvePath("rel/x")).append('\n');
            Map<String, String> sorted = new TreeMap<>(r.env());
            sorted.forEach((k, v) -> b.append("env ").append(k).append('=').append(v).append('\n'));
            Process p = r.processBuilder(List.of("/bin/sh", "-c", "pwd; env | LC_ALL=C sort")).redirectErrorStream(true).start();
            b.append("child:\n").append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            p.waitFor();
            Files.writeString(file, b);
        }
        long sleep = r.netConf().get("sleepMs").map(v -> Long.parseLong(String.valueOf(v))).orElse(0L);
        if (sleep > 0) {
            Path marker = r.resolvePath(record);
            Files.writeString(Path.of(marker + ".started"), "");
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                Files.writeString(Path.of(marker + ".interrupted"), "");
                throw new CniException(ErrorCodes.INTERNAL, "interrupted");
            }
            Files.writeString(Path.of(marker + ".finished"), "");
        }
        if (r.netConf().get("fail").isPresent()) {
            throw new IllegalStateException("boom from the plugin");
        }
        if (r.netConf().get("retire").isPresent()) {
            CallContext.retire("the test says so");
        }
        if (r.netConf().get("stray").isPresent()) {
            System.out.println("stray line on System.out");
            System.err.println("a line on System.err");
            r.logger().log(System.Logger.Level.WARNING, "a warning through the logger");
        }
        return Result.empty()
                .withInterfaces(List.of(Interface.container(r.ifName(), "0a:58:0a:01:02:03", r.netns())))
                .withIps(List.of(IpConfig.of(IpPrefix.parse("10.1.2.3/24"), Ip.parse("10.1.2.1")).withInterface(0)));
    }

    @Override
    public void check(Request r) {
    }

    @Override
    public void del(Request r) throws IOException {
        String record = text(r, "record");
        if (!record.isEmpty()) {
            Files.writeString(Path.of(r.resolvePath(record) + ".del"), "del " + System.nanoTime() + "\n");
        }
    }

    @Override
    public String about() {
        return "CNI warm test plugin v0";
    }
}
