package dev.jcni.sdk.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The marker line of a jcni launcher, {@code # jcni-launcher dist=D id=I main=M kind=K}: the second
 * line of an sh launcher (after {@code #!/bin/sh}), or the last line of a plugin's compiled entry
 * point (an ELF file; the line then ends with {@code name=N}), which {@code jcni package} writes to
 * bin/&lt;plugin&gt; when it compiles the warm-mode shim (docs/packaging.md). Not API.
 */
public final class LauncherMarker {
    /** How the marker line starts. */
    public static final String PREFIX = "# jcni-launcher ";

    private static final byte[] SHEBANG = ("#!/bin/sh\n" + PREFIX).getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ELF = {0x7f, 'E', 'L', 'F'};
    private static final int WINDOW = 512;

    private LauncherMarker() {
    }

    /**
     * @param file any file
     * @return the marker line's text after {@link #PREFIX}, when the file is a jcni launcher or entry point
     */
    public static Optional<String> of(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            byte[] head = read(ch, 0, (int) Math.min(WINDOW, ch.size()));
            if (startsWith(head, 0, SHEBANG)) {
                int end = indexOf(head, SHEBANG.length, (byte) '\n');
                return end < 0 ? Optional.empty()
                        : Optional.of(new String(head, SHEBANG.length, end - SHEBANG.length, StandardCharsets.UTF_8));
            }
            if (!startsWith(head, 0, ELF)) {
                return Optional.empty();
            }
            long size = ch.size();
            int n = (int) Math.min(WINDOW, size);
            byte[] tail = read(ch, size - n, n);
            if (n < 2 || tail[n - 1] != '\n') {
                return Optional.empty();
            }
            int start = n - 1;
            while (start > 0 && tail[start - 1] != '\n') {
                start--;
            }
            byte[] prefix = PREFIX.getBytes(StandardCharsets.US_ASCII);
            if (start == 0 || !startsWith(tail, start, prefix)) {
                return Optional.empty();
            }
            return Optional.of(new String(tail, start + prefix.length, n - 1 - start - prefix.length, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static byte[] read(FileChannel ch, long at, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining() && ch.read(b, at + b.position()) > 0) {
            // reads until full or the end
        }
        return b.position() == n ? b.array() : java.util.Arrays.copyOf(b.array(), b.position());
    }

    private static boolean startsWith(byte[] a, int from, byte[] prefix) {
        if (a.length - from < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (a[from + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] a, int from, byte b) {
        for (int i = from; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
