package dev.jcni.netlink.sys;

import java.io.File;
import java.util.Locale;

/**
 * Maps jcni's settings for jffi's native stub onto jffi's own system properties, before jffi
 * loads.
 *
 * <table>
 * <caption>settings</caption>
 * <tr><th>jcni system property</th><th>environment variable</th><th>jffi property</th><th>meaning</th></tr>
 * <tr><td>{@code jcni.jffi.extract.dir}</td><td>{@code JCNI_JFFI_EXTRACT_DIR}</td><td>{@code jffi.extract.dir}</td>
 *     <td>where jffi unpacks {@code libjffi-1.2.so} from its jar (default: {@code java.io.tmpdir}); must allow exec</td></tr>
 * <tr><td>{@code jcni.jffi.library.path}</td><td>{@code JCNI_JFFI_LIBRARY_PATH}</td><td>{@code jffi.boot.library.path}</td>
 *     <td>directories holding a pre-extracted {@code libjffi-1.2.so} (directly or under {@code x86_64-Linux/}); nothing is unpacked</td></tr>
 * </table>
 *
 * <p>A jffi property set explicitly wins over jcni's. The system property wins over the
 * environment variable. jffi reads only system properties, so an explicit jcni setting is translated
 * into one; nothing is set when no jcni setting is given. jnr-ffi's invoker
 * ({@code jnr.ffi.asm.enabled}) is left to the command line: jcni's launchers pass
 * {@code -Djnr.ffi.asm.enabled=false}, which starts faster.
 */
final class JffiConfig {
    private JffiConfig() {
    }

    static final String EXTRACT_DIR_PROPERTY = "jcni.jffi.extract.dir";
    static final String EXTRACT_DIR_ENV = "JCNI_JFFI_EXTRACT_DIR";
    static final String LIBRARY_PATH_PROPERTY = "jcni.jffi.library.path";
    static final String LIBRARY_PATH_ENV = "JCNI_JFFI_LIBRARY_PATH";

    static final String HINT = "when /tmp is mounted noexec, set " + EXTRACT_DIR_ENV + " (or -D" + EXTRACT_DIR_PROPERTY
            + ") to an executable directory, or " + LIBRARY_PATH_ENV + " (or -D" + LIBRARY_PATH_PROPERTY
            + ") to a directory holding a pre-extracted libjffi-1.2.so";

    static void apply() {
        String extract = setting(EXTRACT_DIR_PROPERTY, EXTRACT_DIR_ENV);
        if (extract != null && System.getProperty("jffi.extract.dir") == null) {
            File dir = new File(extract);
            if (!dir.isDirectory() && !dir.mkdirs() && !dir.isDirectory()) {
                throw new IllegalStateException("cannot create jffi extraction directory " + dir);
            }
            System.setProperty("jffi.extract.dir", dir.getAbsolutePath());
        }
        String path = setting(LIBRARY_PATH_PROPERTY, LIBRARY_PATH_ENV);
        if (path != null && System.getProperty("jffi.boot.library.path") == null) {
            System.setProperty("jffi.boot.library.path", path);
        }
    }

    private static String setting(String property, String env) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            v = System.getenv(env);
        }
        return v == null || v.isBlank() ? null : v.trim();
    }

    static String describe() {
        return String.format(Locale.ROOT, "jffi.extract.dir=%s jffi.boot.library.path=%s",
                System.getProperty("jffi.extract.dir"), System.getProperty("jffi.boot.library.path"));
    }
}
