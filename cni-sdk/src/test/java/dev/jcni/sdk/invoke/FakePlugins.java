package dev.jcni.sdk.invoke;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * Fake plugins for tests: the shell scripts of {@code src/test/resources/invoke}, copied into
 * {@code <root>/bin} with the execute bit (resources lose it); {@code <root>/state} is where the
 * recorder script writes what it saw and reads what it should do.
 */
public final class FakePlugins {
    private final Path bin;
    private final Path state;

    private FakePlugins(Path root) {
        this.bin = root.resolve("bin");
        this.state = root.resolve("state");
    }

    /**
     * @param root an empty directory of the test's
     * @return the fake plugins' home
     */
    public static FakePlugins in(Path root) {
        FakePlugins f = new FakePlugins(root);
        try {
            Files.createDirectories(f.bin);
            Files.createDirectories(f.state);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return f;
    }

    /** @return the directory plugins are installed in (a CNI_PATH entry) */
    public Path bin() {
        return bin;
    }

    /** @return CNI_PATH as a list */
    public List<String> path() {
        return List.of(bin.toString());
    }

    /** @return the recorder's state directory */
    public Path state() {
        return state;
    }

    /**
     * Installs a script under a name.
     *
     * @param script a file of src/test/resources/invoke
     * @param name the plugin's name (its type)
     * @return the installed path
     */
    public Path install(String script, String name) {
        Path target = bin.resolve(name);
        try (InputStream in = FakePlugins.class.getResourceAsStream("/invoke/" + script)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource /invoke/" + script);
            }
            Files.write(target, in.readAllBytes());
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    /**
     * @param script a file of src/test/resources/invoke, installed under its own name
     * @return the installed path
     */
    public Path install(String script) {
        return install(script, script);
    }

    /**
     * Tells the recorder named {@code name} what to do for a command.
     *
     * @param name the plugin's name
     * @param command e.g. ADD
     * @param what {@code out}, {@code fail} or {@code err}
     * @param text the text
     */
    public void behave(String name, String command, String what, String text) {
        write(name + "-" + command + "." + what, text);
    }

    /**
     * @param file a file name in the state directory
     * @param text its content
     */
    public void write(String file, String text) {
        try {
            Files.writeString(state.resolve(file), text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param file a file name in the state directory
     * @return its content, "" when absent
     */
    public String read(String file) {
        try {
            Path p = state.resolve(file);
            return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param name a recorder's name
     * @return the commands it was called with, in order
     */
    public List<String> calls(String name) {
        String s = read(name + ".calls");
        return s.isEmpty() ? List.of() : List.of(s.strip().split("\n"));
    }

    /**
     * @param name a recorder's name
     * @param command a command
     * @return the stdin of its last call with that command
     */
    public String stdin(String name, String command) {
        return read(name + "-" + command + ".stdin");
    }

    /**
     * @param name a recorder's name
     * @param command a command
     * @param variable an environment variable
     * @return its value in the last call with that command, or null when it was not set
     */
    public String env(String name, String command, String variable) {
        for (String line : read(name + "-" + command + ".env").split("\n")) {
            if (line.startsWith(variable + "=")) {
                return line.substring(variable.length() + 1);
            }
        }
        return null;
    }
}
