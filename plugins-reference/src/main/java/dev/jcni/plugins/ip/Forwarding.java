package dev.jcni.plugins.ip;

import dev.jcni.sdk.types.IpConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * IP forwarding in the calling thread's namespace (the host), as Go's {@code ip.EnableIP4Forward},
 * {@code EnableIP6Forward} and {@code EnableForward}: the file is read first and written only when
 * it is not already {@code 1}.
 */
public final class Forwarding {
    private Forwarding() {
    }

    static final Path IPV4 = Path.of("/proc/sys/net/ipv4/ip_forward");
    static final Path IPV6 = Path.of("/proc/sys/net/ipv6/conf/all/forwarding");

    /** @throws IOException when the file cannot be written */
    public static void enableIpv4() throws IOException {
        echo1(IPV4);
    }

    /** @throws IOException when the file cannot be written */
    public static void enableIpv6() throws IOException {
        echo1(IPV6);
    }

    /**
     * Forwarding for each family of the addresses.
     *
     * @param ips the addresses
     * @throws IOException when a file cannot be written
     */
    public static void enableFor(List<IpConfig> ips) throws IOException {
        boolean v4 = false;
        boolean v6 = false;
        for (IpConfig ip : ips) {
            if (ip.isIpv4() && !v4) {
                enableIpv4();
                v4 = true;
            } else if (!ip.isIpv4() && !v6) {
                enableIpv6();
                v6 = true;
            }
        }
    }

    private static void echo1(Path f) throws IOException {
        try {
            if (Files.readString(f, StandardCharsets.US_ASCII).trim().equals("1")) {
                return;
            }
        } catch (IOException e) {
            // fall through to the write, whose error is the one reported (as Go)
        }
        Files.writeString(f, "1", StandardCharsets.US_ASCII);
    }
}
