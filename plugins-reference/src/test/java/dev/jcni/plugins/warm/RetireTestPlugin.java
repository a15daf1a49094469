package dev.jcni.plugins.warm;

import dev.jcni.netns.NetNs;
import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.PluginMain;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.types.Result;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A plugin whose ADD leaves its thread unable to return to the host namespace: inside
 * {@code CNI_NETNS} it closes the descriptor NetNs saved to return with. Cold, the JVM halts (exit
 * 70); in the daemon (policy retire), the thread is retired and the call fails. With {@code "leak"}
 * in the configuration it enters {@code CNI_NETNS} with a bare setns instead, and stays there; with
 * {@code "where"} (a file) it writes there the network namespace its thread is in.
 */
public final class RetireTestPlugin implements Plugin {

    /** cni-sdk-netlink's libc binding, not exported: reached by reflection (the plugin runs on the class path). */
    private static void sys(String method, int... args) {
        try {
            Class<?> sys = Class.forName("dev.jcni.netlink.sys.Sys");
            Class<?>[] types = new Class<?>[args.length];
            Object[] values = new Object[args.length];
            for (int i = 0; i < args.length; i++) {
                types[i] = int.class;
                values[i] = args[i];
            }
            sys.getMethod(method, types).invoke(null, values);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void main(String[] args) {
        PluginMain.run(new RetireTestPlugin());
    }

    @Override
    public Result add(Request r) throws IOException {
        String where = r.netConf().get("where").map(String::valueOf).orElse("");
        if (!where.isEmpty()) {
            Files.writeString(Path.of(where), Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString());
            return Result.empty();
        }
        if (r.netConf().get("leak").isPresent()) {
            try (NetNs ns = NetNs.get(r.netns())) {
                sys("setns", ns.fd(), 0x40000000);
            }
            return Result.empty();
        }
        String hostNs = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
        try (NetNs ns = NetNs.get(r.netns())) {
            ns.run(() -> {
                int newest = -1;
                for (File f : new File("/proc/self/fd").listFiles()) {
                    try {
                        if (Files.readSymbolicLink(f.toPath()).toString().equals(hostNs)) {
                            newest = Math.max(newest, Integer.parseInt(f.getName()));
                        }
                    } catch (IOException | NumberFormatException ignored) {
                        // not one of interest
                    }
                }
                sys("close", newest);
            });
        }
        return Result.empty();
    }

    @Override
    public void check(Request r) {
    }

    @Override
    public void del(Request r) {
    }
}
