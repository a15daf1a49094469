package dev.jcni.sdk.invoke;

import dev.jcni.sdk.internal.GoText;
import dev.jcni.sdk.internal.Json;
import dev.jcni.sdk.types.CniException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A plugin could not be found, run, or did not succeed. It is a {@link CniException}: when the
 * plugin printed an error JSON, {@link #code()}, {@link #msg()} and {@link #details()} are the
 * plugin's own, so a plugin that lets a delegate's error through reports it unchanged, and a runtime
 * sees e.g. code 50 from STATUS. Otherwise the code is {@link dev.jcni.sdk.types.ErrorCodes#UNKNOWN}
 * (as Go's {@code types.Error} of a failed exec) and {@link #failure()} tells what went wrong.
 *
 * <p>{@link #getMessage()} adds the plugin's stderr when {@code msg} does not already show it.
 */
public final class PluginException extends CniException {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Failure {
        /** The plugin was not found in the search path, or its name is not valid. */
        NOT_FOUND,
        /** The plugin could not be started (not executable, bad interpreter...). */
        START_FAILED,
        /** The binary stayed busy ("text file busy") through every retry. */
        TEXT_FILE_BUSY,
        /** The plugin exited non-zero and printed a CNI error JSON. */
        ERROR_REPORTED,
        /** The plugin exited non-zero without a usable error JSON. */
        FAILED,
        /** The plugin was killed by a signal it did not get from jcni. */
        KILLED_BY_SIGNAL,
        /** The deadline passed; the plugin's process tree was stopped. */
        TIMED_OUT,
        /** The plugin exited 0 but its output is not what the command expects. */
        BAD_OUTPUT
    }

    private final Failure failure;
    private final transient Optional<Path> plugin;
    private final String stderr;
    private final String stdout;
    private final transient OptionalInt exitStatus;
    private final transient OptionalInt signal;
    private final boolean stderrInMsg;

    PluginException(Failure failure, int code, String msg, String details, Path plugin, String stdout, String stderr,
                    OptionalInt exitStatus, OptionalInt signal, boolean stderrInMsg, Throwable cause) {
        super(code, msg, details);
        if (cause != null) {
            initCause(cause);
        }
        this.failure = Objects.requireNonNull(failure, "failure");
        this.plugin = Optional.ofNullable(plugin);
        this.stdout = stdout == null ? "" : stdout;
        this.stderr = stderr == null ? "" : stderr;
        this.exitStatus = exitStatus;
        this.signal = signal;
        this.stderrInMsg = stderrInMsg;
    }

    /** A failure before any process ran (lookup, bad arguments). */
    static PluginException simple(Failure failure, int code, String msg, Path plugin, Throwable cause) {
        return new PluginException(failure, code, msg, "", plugin, "", "", OptionalInt.empty(), OptionalInt.empty(),
                false, cause);
    }

    /**
     * A copy whose {@code msg} starts with a prefix, everything else kept: how the runtime says which
     * plugin of a chain failed ({@code plugin type="bridge" failed (add): ...}). The copy's cause is
     * this exception.
     *
     * @param prefix text put in front of {@code msg}
     * @return the copy
     */
    public PluginException withContext(String prefix) {
        return new PluginException(failure, code(), prefix + msg(), details(), plugin.orElse(null), stdout, stderr,
                exitStatus, signal, stderrInMsg, this);
    }

    /** @return what went wrong */
    public Failure failure() {
        return failure;
    }

    /** @return the plugin's path, when it was found */
    public Optional<Path> pluginPath() {
        return plugin;
    }

    /** @return what the plugin wrote to stderr ("" when nothing, or when it never ran) */
    public String stderr() {
        return stderr;
    }

    /** @return what the plugin wrote to stdout ("" when nothing, or when it never ran) */
    public String stdout() {
        return stdout;
    }

    /** @return the exit status of a plugin that exited by itself */
    public OptionalInt exitStatus() {
        return exitStatus;
    }

    /** @return the signal that ended the plugin ({@link Failure#KILLED_BY_SIGNAL}, {@link Failure#TIMED_OUT}) */
    public OptionalInt signal() {
        return signal;
    }

    /** @return true when the plugin printed a CNI error JSON (its code, msg and details are this exception's) */
    public boolean isPluginError() {
        return failure == Failure.ERROR_REPORTED;
    }

    /** @return {@code msg}, {@code ; details} when present, and the plugin's stderr when {@code msg} does not show it */
    @Override
    public String getMessage() {
        String m = super.getMessage();
        if (!stderrInMsg && !stderr.isBlank()) {
            m = m + " (stderr: " + GoText.quote(stderr.strip()) + ")";
        }
        return m;
    }

    /** The name of signal {@code n} on Linux, e.g. 9 → {@code SIGKILL}. */
    static String signalName(int n) {
        String[] names = {"HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
            "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ",
            "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"};
        return n >= 1 && n <= names.length ? "SIG" + names[n - 1] : "signal " + n;
    }

    /** Quotes bytes a plugin printed, for messages. */
    static String quoteOutput(byte[] out) {
        return GoText.quote(Json.text(out));
    }
}
