package dev.jcni.plugins.hostlocal;

import java.nio.file.Path;

/** Configuration texts for the tests. */
final class Configs {
    private Configs() {
    }

    static final String NET = "net1";

    /**
     * @param version {@code cniVersion}
     * @param dataDir {@code ipam.dataDir}
     * @param ipamFields more {@code ipam} fields, e.g. {@code "subnet":"10.1.2.0/24"}
     * @param topFields more top-level fields (may be "")
     * @return a bridge-like configuration delegating to host-local
     */
    static String conf(String version, Path dataDir, String ipamFields, String topFields) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"" + NET + "\",\"type\":\"bridge\""
                + (topFields.isEmpty() ? "" : "," + topFields)
                + ",\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"" + dataDir + "\"" + (ipamFields.isEmpty() ? "" : "," + ipamFields)
                + "}}";
    }

    static String subnet(String version, Path dataDir, String subnet) {
        return conf(version, dataDir, "\"subnet\":\"" + subnet + "\"", "");
    }
}
