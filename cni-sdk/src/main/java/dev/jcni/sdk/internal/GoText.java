package dev.jcni.sdk.internal;

import java.util.List;

/** Reproduces the text Go's fmt and strconv produce, so error messages match Go's byte for byte. */
public final class GoText {
    private GoText() {
    }

    /**
     * Go's {@code strconv.Quote}: double quotes, with {@code \"}, {@code \\} and escapes for
     * control and non-printable characters.
     *
     * @param s the string
     * @return the quoted string
     */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        s.codePoints().forEach(cp -> {
            switch (cp) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                case 7 -> sb.append("\\a");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case 11 -> sb.append("\\v");
                default -> {
                    if (cp < 0x20 || cp == 0x7f) {
                        sb.append(String.format("\\x%02x", cp));
                    } else if (!isPrintable(cp)) {
                        sb.append(cp > 0xffff ? String.format("\\U%08x", cp) : String.format("\\u%04x", cp));
                    } else {
                        sb.appendCodePoint(cp);
                    }
                }
            }
        });
        return sb.append('"').toString();
    }

    private static boolean isPrintable(int cp) {
        int type = Character.getType(cp);
        return type != Character.CONTROL && type != Character.FORMAT && type != Character.SURROGATE
                && type != Character.PRIVATE_USE && type != Character.UNASSIGNED
                && type != Character.LINE_SEPARATOR && type != Character.PARAGRAPH_SEPARATOR
                && (type != Character.SPACE_SEPARATOR || cp == ' ');
    }

    /**
     * Go's {@code %q} of a string slice: {@code ["a" "b"]}.
     *
     * @param items the strings
     * @return the text
     */
    public static String quoteList(List<String> items) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(quote(items.get(i)));
        }
        return sb.append(']').toString();
    }

    /**
     * Go's {@code %v} of a string slice: {@code [a b]}.
     *
     * @param items the strings
     * @return the text
     */
    public static String list(List<String> items) {
        return "[" + String.join(" ", items) + "]";
    }

    /**
     * Go's {@code strconv.Atoi} on a 64-bit platform: optional sign, decimal digits.
     *
     * @param s the text
     * @return the value
     * @throws IllegalArgumentException {@code strconv.Atoi: parsing "x": invalid syntax} or
     *     {@code ...: value out of range}
     */
    public static long atoi(String s) {
        int i = 0;
        if (!s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-')) {
            i = 1;
        }
        if (i == s.length()) {
            throw new IllegalArgumentException("strconv.Atoi: parsing " + quote(s) + ": invalid syntax");
        }
        for (int k = i; k < s.length(); k++) {
            char c = s.charAt(k);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("strconv.Atoi: parsing " + quote(s) + ": invalid syntax");
            }
        }
        try {
            return Long.parseLong(s.charAt(0) == '+' ? s.substring(1) : s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("strconv.Atoi: parsing " + quote(s) + ": value out of range", e);
        }
    }
}
