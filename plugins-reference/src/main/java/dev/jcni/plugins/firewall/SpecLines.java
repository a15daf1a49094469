package dev.jcni.plugins.firewall;

import java.util.ArrayList;
import java.util.List;

/** Splits {@code iptables -S} lines into arguments, honouring the double quotes of comments. */
public final class SpecLines {
    private SpecLines() {
    }

    /**
     * @param line e.g. {@code -A POSTROUTING -s 10.1.2.3/32 -m comment --comment "name: \"n\" id: \"c\"" -j CNI-x}
     * @return the arguments, unquoted
     */
    public static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inQuotes = false;
        boolean any = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (inQuotes) {
                if (c == '\\' && i + 1 < line.length()) {
                    cur.append(line.charAt(++i));
                } else if (c == '"') {
                    inQuotes = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                inQuotes = true;
                any = true;
            } else if (c == ' ') {
                if (any || cur.length() > 0) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    any = false;
                }
            } else {
                cur.append(c);
            }
        }
        if (any || cur.length() > 0) {
            out.add(cur.toString());
        }
        return out;
    }

    /**
     * @param words a rule split by {@link #split(String)}
     * @param chain a chain
     * @return whether the rule ends in {@code -j <chain>}
     */
    public static boolean jumpsTo(List<String> words, String chain) {
        int n = words.size();
        return n >= 2 && words.get(n - 2).equals("-j") && words.get(n - 1).equals(chain);
    }
}
