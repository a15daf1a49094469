package dev.jcni.plugins.cri;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The protocol buffers wire format, as much of it as {@link CriClient}'s messages use: varints
 * (wire type 0) and length-delimited fields (wire type 2: strings, bytes, nested messages, map
 * entries). Encoding writes fields in the order they are added; decoding keeps every field and
 * skips the wire types the CRI messages read here never carry (fixed32/fixed64 are skipped by
 * length, groups are refused).
 */
final class Wire {
    private Wire() {
    }

    /** A message being written. Zero, empty and absent values are left out, as proto3 does. */
    static final class Msg {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        /** @return a string field (skipped when empty) */
        Msg str(int field, String value) {
            return value.isEmpty() ? this : bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        /** @return one element per string of a repeated string field */
        Msg strs(int field, List<String> values) {
            values.forEach(v -> bytes(field, v.getBytes(StandardCharsets.UTF_8)));
            return this;
        }

        /** @return an integer or enum field (skipped when 0) */
        Msg num(int field, long value) {
            if (value != 0) {
                varint((long) field << 3);
                varint(value);
            }
            return this;
        }

        /** @return a nested message field (written even when the nested message is empty) */
        Msg msg(int field, Msg nested) {
            return bytes(field, nested.toBytes());
        }

        /** @return a map&lt;string, string&gt; field: one entry message (key 1, value 2) per pair */
        Msg map(int field, Map<String, String> entries) {
            entries.forEach((k, v) -> msg(field, new Msg().str(1, k).str(2, v)));
            return this;
        }

        private Msg bytes(int field, byte[] value) {
            varint(((long) field << 3) | 2);
            varint(value.length);
            out.writeBytes(value);
            return this;
        }

        private void varint(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }

        /** @return the encoded message */
        byte[] toBytes() {
            return out.toByteArray();
        }
    }

    /** One decoded field: its number and either a varint or the bytes of a length-delimited field. */
    record Field(int number, long varint, byte[] bytes) {
    }

    /** A decoded message: its fields in wire order (repeated fields appear once per element). */
    record Fields(List<Field> all) {
        /** @return the last value of a string field, or "" when absent */
        String str(int number) {
            byte[] b = last(number);
            return b == null ? "" : new String(b, StandardCharsets.UTF_8);
        }

        /** @return the last value of a bytes field, or an empty array when absent */
        byte[] raw(int number) {
            byte[] b = last(number);
            return b == null ? new byte[0] : b;
        }

        /** @return the last value of a varint field, or 0 when absent */
        long num(int number) {
            long v = 0;
            for (Field f : all) {
                if (f.number == number && f.bytes == null) {
                    v = f.varint;
                }
            }
            return v;
        }

        /** @return a nested message field, decoded (an empty message when absent) */
        Fields msg(int number) {
            byte[] b = last(number);
            return decode(b == null ? new byte[0] : b);
        }

        /** @return every element of a repeated message field, decoded */
        List<Fields> msgs(int number) {
            List<Fields> l = new ArrayList<>();
            for (Field f : all) {
                if (f.number == number && f.bytes != null) {
                    l.add(decode(f.bytes));
                }
            }
            return l;
        }

        private byte[] last(int number) {
            byte[] b = null;
            for (Field f : all) {
                if (f.number == number && f.bytes != null) {
                    b = f.bytes;
                }
            }
            return b;
        }
    }

    /**
     * Decodes one message.
     *
     * @param b the encoded message
     * @return its fields
     * @throws IllegalArgumentException on a truncated message or a group
     */
    static Fields decode(byte[] b) {
        List<Field> fields = new ArrayList<>();
        int[] pos = {0};
        while (pos[0] < b.length) {
            long key = readVarint(b, pos);
            int number = (int) (key >>> 3);
            switch ((int) (key & 7)) {
                case 0 -> fields.add(new Field(number, readVarint(b, pos), null));
                case 1 -> skip(b, pos, 8);
                case 5 -> skip(b, pos, 4);
                case 2 -> {
                    long len = readVarint(b, pos);
                    if (len < 0 || len > b.length - pos[0]) {
                        throw new IllegalArgumentException("field " + number + " runs past the message's end");
                    }
                    byte[] v = java.util.Arrays.copyOfRange(b, pos[0], pos[0] + (int) len);
                    pos[0] += (int) len;
                    fields.add(new Field(number, 0, v));
                }
                default -> throw new IllegalArgumentException("wire type " + (key & 7) + " of field " + number + " is not supported");
            }
        }
        return new Fields(List.copyOf(fields));
    }

    private static void skip(byte[] b, int[] pos, int n) {
        if (n > b.length - pos[0]) {
            throw new IllegalArgumentException("truncated fixed-width field");
        }
        pos[0] += n;
    }

    private static long readVarint(byte[] b, int[] pos) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos[0] >= b.length) {
                throw new IllegalArgumentException("truncated varint");
            }
            int x = b[pos[0]++] & 0xFF;
            v |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                return v;
            }
        }
        throw new IllegalArgumentException("varint longer than 10 bytes");
    }
}
