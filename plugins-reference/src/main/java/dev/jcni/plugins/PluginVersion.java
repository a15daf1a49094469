package dev.jcni.plugins;

/** The version of the reference plugins, for their about texts. */
public final class PluginVersion {
    private PluginVersion() {
    }

    /** @return the version from the jar manifest, or "dev" when run from classes */
    public static String get() {
        String v = PluginVersion.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /**
     * @param plugin the plugin's name, e.g. {@code bridge}
     * @return {@code CNI <plugin> plugin (jcni) <version>}
     */
    public static String about(String plugin) {
        return "CNI " + plugin + " plugin (jcni) " + get();
    }
}
