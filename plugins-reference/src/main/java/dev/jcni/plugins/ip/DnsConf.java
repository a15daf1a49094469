package dev.jcni.plugins.ip;

import dev.jcni.sdk.types.NetConf;
import java.util.Map;
import java.util.Optional;

/** The {@code dns} key of a configuration as Go's {@code dnsConfSet} sees it. */
public final class DnsConf {
    private DnsConf() {
    }

    /**
     * Whether the configuration's {@code dns} replaces the IPAM plugin's: any of
     * {@code nameservers}, {@code search}, {@code options} present and not null (an empty list counts),
     * or a non-empty {@code domain}.
     *
     * @param conf the configuration
     * @return true when set
     */
    public static boolean isSet(NetConf conf) {
        Optional<Object> dns = conf.get("dns");
        if (dns.isEmpty() || !(dns.get() instanceof Map<?, ?> m)) {
            return false;
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String k = String.valueOf(e.getKey()).toLowerCase(java.util.Locale.ROOT);
            Object v = e.getValue();
            boolean isNull = v instanceof Optional<?> o && o.isEmpty(); // JSON null, as plain values have it
            if ((k.equals("nameservers") || k.equals("search") || k.equals("options")) && !isNull) {
                return true;
            }
            if (k.equals("domain") && v instanceof String s && !s.isEmpty()) {
                return true;
            }
        }
        return false;
    }
}
