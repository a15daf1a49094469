package dev.jcni.plugins.firewall;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code iptables} / {@code ip6tables}, run with {@code --wait N} ({@link #LOCK_WAIT_SECONDS}), where
 * go-iptables by default passes a bare {@code --wait} (wait for the xtables lock for ever). One instance per
 * family.
 */
public final class Iptables {
    /**
     * How long iptables and iptables-restore wait for the xtables lock before giving up (their
     * {@code --wait N}; the legacy flavour honours it, the nf_tables flavour of Debian 12's iptables
     * 1.8.9 accepts and ignores it, having no such lock). The lock is held for milliseconds by each
     * writer; 10 s is ample queueing, and below the 30 s that bound a whole run ({@link Exec#run}).
     */
    public static final int LOCK_WAIT_SECONDS = 10;

    private final Path binary;
    private final boolean ipv6;

    private Iptables(Path binary, boolean ipv6) {
        this.binary = binary;
        this.ipv6 = ipv6;
    }

    /**
     * @param ipv6 true for ip6tables
     * @return the tool, when installed
     */
    public static Optional<Iptables> find(boolean ipv6) {
        return Exec.find(ipv6 ? "ip6tables" : "iptables").map(p -> new Iptables(p, ipv6));
    }

    /**
     * Locates the tool or fails.
     *
     * @param ipv6 true for ip6tables
     * @return the tool
     * @throws IptablesException {@code failed to locate iptables: ...}
     */
    public static Iptables require(boolean ipv6) {
        return find(ipv6).orElseThrow(() -> new IptablesException(
                "failed to locate iptables: exec: \"" + (ipv6 ? "ip6tables" : "iptables") + "\": executable file not found in $PATH",
                -1, ""));
    }

    /** @return true for ip6tables */
    public boolean ipv6() {
        return ipv6;
    }

    /** A failed iptables command. */
    public static final class IptablesException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int exitCode;
        private final String stderr;

        IptablesException(String message, int exitCode, String stderr) {
            super(message);
            this.exitCode = exitCode;
            this.stderr = stderr;
        }

        /** @return true when the error says the chain, rule or target does not exist */
        public boolean isNotExist() {
            return (exitCode == 1 || exitCode == 2) && (stderr.contains("does not exist") || stderr.contains("No chain/target/match by that name")
                    || stderr.contains("Bad rule (does a matching rule exist in that chain?)") || stderr.contains("No such file or directory"));
        }
    }

    private Exec.Result exec(List<String> args) {
        List<String> cmd = new ArrayList<>(args.size() + 2);
        cmd.add(binary.toString());
        cmd.add("--wait");
        cmd.add(Integer.toString(LOCK_WAIT_SECONDS));
        cmd.addAll(args);
        try {
            return Exec.run(null, cmd);
        } catch (IOException e) {
            throw new IptablesException("running " + String.join(" ", cmd) + " failed: " + e.getMessage(), -1, "");
        }
    }

    private String run(List<String> args) {
        Exec.Result r = exec(args);
        if (!r.ok()) {
            throw new IptablesException("running [" + binary + " -t " + String.join(" ", args.subList(1, args.size()))
                    + " --wait " + LOCK_WAIT_SECONDS + "]: exit status " + r.exitCode() + ": " + r.stderr().trim(), r.exitCode(), r.stderr());
        }
        return r.stdout();
    }

    private static List<String> args(String table, String op, String chain, List<String> rule) {
        List<String> a = new ArrayList<>();
        a.add("-t");
        a.add(table);
        a.add(op);
        a.add(chain);
        a.addAll(rule);
        return a;
    }

    /**
     * Whether the tool works here (Go's {@code SupportsIPTables}: can it look at filter/INPUT).
     *
     * @return true when usable
     */
    public boolean usable() {
        return exec(List.of("-t", "filter", "-S", "INPUT", "1")).ok();
    }

    /**
     * The whole table in one call.
     *
     * @param table a table
     * @return every line {@code iptables -t <table> -S} prints ({@code -P}, {@code -N} and {@code -A} lines)
     * @throws IptablesException when the table cannot be listed (the tool is unusable)
     */
    public List<String> listTable(String table) {
        List<String> out = new ArrayList<>();
        for (String line : run(List.of("-t", table, "-S")).split("\n")) {
            if (!line.isEmpty()) {
                out.add(line);
            }
        }
        return out;
    }

    /**
     * A rule as {@code iptables -S} prints it when iptables keeps the arguments as given (true of
     * simple rules such as {@code -m comment --comment "x" -j CHAIN}; others are printed in a canonical
     * order, so a miss means "compare with {@code -C}", not "absent").
     *
     * @param chain the chain
     * @param rule the rule specification
     * @return {@code -A <chain> <args>}, arguments with blanks or quotes in double quotes
     */
    public static String specLine(String chain, List<String> rule) {
        StringBuilder sb = new StringBuilder("-A ").append(chain);
        for (String a : rule) {
            sb.append(' ').append(quoteArg(a));
        }
        return sb.toString();
    }

    private static String quoteArg(String a) {
        boolean plain = !a.isEmpty();
        for (int i = 0; i < a.length() && plain; i++) {
            char c = a.charAt(i);
            plain = !Character.isWhitespace(c) && c != '"' && c != '\\' && c != '\'' && c != '#';
        }
        return plain ? a : "\"" + a.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /**
     * Applies commands to one table as a single transaction ({@code iptables-restore --noflush}):
     * all of them or, when one fails, none (with the nf_tables flavour; the legacy one commits the
     * table at the end too).
     *
     * @param table a table
     * @param commands each an iptables command without {@code -t}, e.g. {@code [-N, X]},
     *     {@code [-A, X, -j, RETURN]}, {@code [-I, POSTROUTING, 1, ...]}, {@code [-D, ...]}, {@code [-X, X]}
     * @throws IptablesException when the restore tool is missing or refuses the transaction
     */
    public void restore(String table, List<List<String>> commands) {
        if (commands.isEmpty()) {
            return;
        }
        String tool = binary.getFileName() + "-restore";
        Path restore = binary.resolveSibling(tool);
        if (!java.nio.file.Files.isExecutable(restore)) {
            restore = Exec.find(tool).orElseThrow(() -> new IptablesException(
                    "failed to locate " + tool + ": executable file not found in $PATH", -1, ""));
        }
        StringBuilder script = new StringBuilder("*").append(table).append('\n');
        for (List<String> c : commands) {
            for (String a : c) {
                if (a.indexOf('\n') >= 0 || a.indexOf('\r') >= 0 || a.indexOf('\0') >= 0) {
                    // a line break would end the command and start another: never put one in the script
                    throw new IptablesException("refusing an iptables-restore argument with a line break or NUL: "
                            + a.replace("\n", "\\n").replace("\r", "\\r").replace("\0", "\\0"), -1, "");
                }
            }
            for (int i = 0; i < c.size(); i++) {
                if (i > 0) {
                    script.append(' ');
                }
                script.append(quoteArg(c.get(i)));
            }
            script.append('\n');
        }
        script.append("COMMIT\n");
        Exec.Result r;
        try {
            r = Exec.run(script.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    List.of(restore.toString(), "--noflush", "--wait", Integer.toString(LOCK_WAIT_SECONDS)));
        } catch (IOException e) {
            throw new IptablesException("running " + restore + " failed: " + e.getMessage(), -1, "");
        }
        if (!r.ok()) {
            throw new IptablesException("running [" + restore + " --noflush --wait " + LOCK_WAIT_SECONDS + "]: exit status " + r.exitCode() + ": "
                    + r.stderr().trim(), r.exitCode(), r.stderr());
        }
    }

    /**
     * @param table a table
     * @return the chains of the table, built-in ones included
     */
    public List<String> listChains(String table) {
        List<String> out = new ArrayList<>();
        for (String line : run(List.of("-t", table, "-S")).split("\n")) {
            if (line.startsWith("-N ") || line.startsWith("-P ")) {
                out.add(line.split(" ")[1]);
            }
        }
        return out;
    }

    /**
     * @param table a table
     * @param chain a chain
     * @return true when the chain exists
     */
    public boolean chainExists(String table, String chain) {
        return exec(List.of("-t", table, "-S", chain, "1")).ok();
    }

    /**
     * @param table a table
     * @param chain a chain
     * @return the chain's rules as {@code iptables -S} prints them (the {@code -N} line excluded)
     */
    public List<String> listRules(String table, String chain) {
        List<String> out = new ArrayList<>();
        for (String line : run(List.of("-t", table, "-S", chain)).split("\n")) {
            if (line.startsWith("-A ")) {
                out.add(line);
            }
        }
        return out;
    }

    /**
     * @param table a table
     * @param chain a new chain
     */
    public void newChain(String table, String chain) {
        run(List.of("-t", table, "-N", chain));
    }

    /**
     * Creates the chain when missing (flushing nothing).
     *
     * @param table a table
     * @param chain a chain
     */
    public void ensureChain(String table, String chain) {
        if (!chainExists(table, chain)) {
            newChain(table, chain);
        }
    }

    /**
     * @param table a table
     * @param chain a chain
     * @param rule the rule specification
     * @return true when the rule exists ({@code -C})
     */
    public boolean exists(String table, String chain, List<String> rule) {
        Exec.Result r = exec(args(table, "-C", chain, rule));
        if (r.ok()) {
            return true;
        }
        if (r.exitCode() == 1) {
            return false;
        }
        throw new IptablesException("running iptables -C failed: exit status " + r.exitCode() + ": " + r.stderr().trim(),
                r.exitCode(), r.stderr());
    }

    /**
     * @param table a table
     * @param chain a chain
     * @param rule the rule specification
     */
    public void append(String table, String chain, List<String> rule) {
        run(args(table, "-A", chain, rule));
    }

    /**
     * Appends unless the rule exists.
     *
     * @param table a table
     * @param chain a chain
     * @param rule the rule specification
     */
    public void appendUnique(String table, String chain, List<String> rule) {
        if (!exists(table, chain, rule)) {
            append(table, chain, rule);
        }
    }

    /**
     * Inserts at a position (1 = first) unless the rule exists.
     *
     * @param table a table
     * @param chain a chain
     * @param position the position
     * @param rule the rule specification
     */
    public void insertUnique(String table, String chain, int position, List<String> rule) {
        if (!exists(table, chain, rule)) {
            List<String> a = new ArrayList<>(List.of("-t", table, "-I", chain, Integer.toString(position)));
            a.addAll(rule);
            run(a);
        }
    }

    /**
     * @param table a table
     * @param chain a chain
     * @param rule the rule specification
     * @throws IptablesException ({@link IptablesException#isNotExist()} when there was no such rule)
     */
    public void delete(String table, String chain, List<String> rule) {
        run(args(table, "-D", chain, rule));
    }

    /**
     * Deletes a rule, ignoring "does not exist".
     *
     * @param table a table
     * @param chain a chain
     * @param rule the rule specification
     */
    public void deleteIfExists(String table, String chain, List<String> rule) {
        try {
            delete(table, chain, rule);
        } catch (IptablesException e) {
            if (!e.isNotExist()) {
                throw e;
            }
        }
    }

    /**
     * Deletes a rule given as an {@code -S} line ({@code -A chain ...}), parsed back into arguments.
     *
     * @param table a table
     * @param specLine the line
     */
    public void deleteSpecLine(String table, String specLine) {
        List<String> words = SpecLines.split(specLine);
        if (words.size() < 2 || !words.get(0).equals("-A")) {
            throw new IllegalArgumentException("not a rule line: " + specLine);
        }
        deleteIfExists(table, words.get(1), words.subList(2, words.size()));
    }

    /**
     * Flushes a chain if it exists.
     *
     * @param table a table
     * @param chain a chain
     */
    public void flushIfExists(String table, String chain) {
        if (chainExists(table, chain)) {
            run(List.of("-t", table, "-F", chain));
        }
    }

    /**
     * Flushes and deletes a chain if it exists.
     *
     * @param table a table
     * @param chain a chain
     */
    public void deleteChainIfExists(String table, String chain) {
        if (chainExists(table, chain)) {
            run(List.of("-t", table, "-F", chain));
            try {
                run(List.of("-t", table, "-X", chain));
            } catch (IptablesException e) {
                if (!e.isNotExist()) {
                    throw e;
                }
            }
        }
    }

    /**
     * Removes a chain and every rule of an entry chain that jumps to it, one command at a time;
     * nothing when the chain does not exist.
     *
     * @param table a table
     * @param chain the chain to remove
     * @param entryChain the chain whose jumps to it go too
     */
    public void deleteChainAndJumps(String table, String chain, String entryChain) {
        if (!chainExists(table, chain)) {
            return;
        }
        if (chainExists(table, entryChain)) {
            for (String line : listRules(table, entryChain)) {
                if (SpecLines.jumpsTo(SpecLines.split(line), chain)) {
                    deleteSpecLine(table, line);
                }
            }
        }
        deleteChainIfExists(table, chain);
    }

    @Override
    public String toString() {
        return binary.toString();
    }
}
