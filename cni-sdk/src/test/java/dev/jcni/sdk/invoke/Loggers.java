package dev.jcni.sdk.invoke;

import java.util.List;
import java.util.ResourceBundle;
import java.util.function.Supplier;

/** A logger that collects {@code LEVEL message} lines, for tests. */
public final class Loggers {
    private Loggers() {
    }

    /**
     * @param lines receives {@code LEVEL message} per record
     * @return the logger
     */
    public static System.Logger collecting(List<String> lines) {
        return new System.Logger() {
            @Override
            public String getName() {
                return "test";
            }

            @Override
            public boolean isLoggable(Level level) {
                return true;
            }

            @Override
            public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
                synchronized (lines) {
                    lines.add(level.getName() + " " + msg);
                }
            }

            @Override
            public void log(Level level, ResourceBundle bundle, String format, Object... params) {
                log(level, bundle, format, (Throwable) null);
            }

            @Override
            public void log(Level level, Supplier<String> s) {
                log(level, null, s.get(), (Throwable) null);
            }
        };
    }
}
