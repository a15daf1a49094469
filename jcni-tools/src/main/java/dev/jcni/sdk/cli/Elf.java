package dev.jcni.sdk.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the dynamic loader needs of a 64-bit ELF file, read from its program headers (of any
 * architecture and byte order, without running anything): its program interpreter
 * ({@code PT_INTERP}, e.g. {@code /lib/ld-linux-aarch64.so.1}) and the libraries it names
 * ({@code DT_NEEDED}). {@link NodeImage} resolves them in a root file system of the file's
 * architecture, as that architecture's loader would.
 *
 * @param arch the architecture, if one jcni builds for
 * @param interpreter the program interpreter's absolute path; empty for a static executable or a library
 * @param needed the {@code DT_NEEDED} names, in order
 */
record Elf(Optional<TargetArch> arch, Optional<String> interpreter, List<String> needed) {
    private static final int PT_LOAD = 1;
    private static final int PT_DYNAMIC = 2;
    private static final int PT_INTERP = 3;
    private static final long DT_NEEDED = 1;
    private static final long DT_STRTAB = 5;
    private static final long DT_STRSZ = 10;

    /** @return whether it needs no loader and no shared library */
    boolean isStatic() {
        return interpreter.isEmpty() && needed.isEmpty();
    }

    /**
     * Reads an ELF file.
     *
     * @param file a file
     * @return its dynamic linking facts; empty when it is not a regular 64-bit ELF file
     * @throws IOException when it cannot be read or its headers point outside it
     */
    static Optional<Elf> read(Path file) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 64) {
                return Optional.empty();
            }
            ByteBuffer h = read(ch, 0, 64, file);
            if (h.get(0) != 0x7f || h.get(1) != 'E' || h.get(2) != 'L' || h.get(3) != 'F' || h.get(4) != 2) {
                return Optional.empty();
            }
            ByteOrder order = h.get(5) == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            h.order(order);
            long phoff = h.getLong(0x20);
            int phentsize = h.getShort(0x36) & 0xffff;
            int phnum = h.getShort(0x38) & 0xffff;
            if (phnum > 0 && (phentsize < 56 || phoff < 0 || phoff + (long) phnum * phentsize > size)) {
                throw new IOException(file + ": ELF program headers outside the file");
            }
            ByteBuffer ph = read(ch, phoff, phnum * phentsize, file).order(order);
            List<long[]> loads = new ArrayList<>();
            long[] dynamic = null;
            String interpreter = null;
            for (int i = 0; i < phnum; i++) {
                int at = i * phentsize;
                int type = ph.getInt(at);
                long offset = ph.getLong(at + 8);
                long vaddr = ph.getLong(at + 16);
                long filesz = ph.getLong(at + 32);
                if (offset < 0 || filesz < 0 || offset + filesz > size) {
                    throw new IOException(file + ": ELF segment outside the file");
                }
                switch (type) {
                    case PT_LOAD -> loads.add(new long[] {vaddr, offset, filesz});
                    case PT_DYNAMIC -> dynamic = new long[] {offset, filesz};
                    case PT_INTERP -> interpreter = cString(read(ch, offset, (int) Math.min(filesz, 4096), file), 0);
                    default -> {
                    }
                }
            }
            List<String> needed = new ArrayList<>();
            if (dynamic != null) {
                ByteBuffer dyn = read(ch, dynamic[0], (int) Math.min(dynamic[1], 1 << 20), file).order(order);
                List<Long> names = new ArrayList<>();
                long strtab = -1;
                long strsz = 0;
                for (int at = 0; at + 16 <= dyn.limit(); at += 16) {
                    long tag = dyn.getLong(at);
                    long val = dyn.getLong(at + 8);
                    if (tag == 0) {
                        break;
                    } else if (tag == DT_NEEDED) {
                        names.add(val);
                    } else if (tag == DT_STRTAB) {
                        strtab = val;
                    } else if (tag == DT_STRSZ) {
                        strsz = val;
                    }
                }
                if (!names.isEmpty()) {
                    long strOffset = fileOffset(loads, strtab).orElseThrow(() -> new IOException(file + ": ELF string table not in a segment"));
                    if (strsz <= 0 || strOffset + strsz > size || strsz > 1 << 24) {
                        throw new IOException(file + ": ELF string table outside the file");
                    }
                    ByteBuffer strings = read(ch, strOffset, (int) strsz, file);
                    for (long n : names) {
                        if (n < 0 || n >= strsz) {
                            throw new IOException(file + ": DT_NEEDED outside the string table");
                        }
                        needed.add(cString(strings, (int) n));
                    }
                }
            }
            return Optional.of(new Elf(TargetArch.ofElf(file), Optional.ofNullable(interpreter), List.copyOf(needed)));
        }
    }

    /** The file offset of a virtual address, through the segment that loads it. */
    private static Optional<Long> fileOffset(List<long[]> loads, long vaddr) {
        for (long[] l : loads) {
            if (vaddr >= l[0] && vaddr < l[0] + l[2]) {
                return Optional.of(vaddr - l[0] + l[1]);
            }
        }
        return Optional.empty();
    }

    private static ByteBuffer read(FileChannel ch, long at, int n, Path file) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b, at + b.position()) < 0) {
                throw new IOException(file + ": ELF file shorter than its headers say");
            }
        }
        return b.flip();
    }

    private static String cString(ByteBuffer b, int at) {
        int end = at;
        while (end < b.limit() && b.get(end) != 0) {
            end++;
        }
        byte[] s = new byte[end - at];
        b.get(at, s);
        return new String(s, StandardCharsets.UTF_8);
    }
}
