package dev.jcni.plugins.firewall;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jcni.sdk.internal.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The {@code nft} tool: transactions fed on stdin ({@code nft -f -}) and JSON listings. */
public final class Nft {
    private final Path binary;

    private Nft(Path binary) {
        this.binary = binary;
    }

    /** @return the tool, when installed */
    public static Optional<Nft> find() {
        return Exec.find("nft").map(Nft::new);
    }

    /** A failed nft command. */
    public static final class NftException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NftException(String message) {
            super(message);
        }
    }

    /**
     * A rule as listed: its handle and comment.
     *
     * @param handle the rule handle
     * @param comment the comment, "" when none
     * @param expr the rule's JSON expression list (for callers that inspect it)
     */
    public record Rule(long handle, String comment, JsonNode expr) {
    }

    /**
     * Whether nftables works here (Go's {@code SupportsNFTables}: can a table be checked).
     *
     * @return true when usable
     */
    public boolean usable() {
        try {
            return Exec.run("add table ip jcni_supports_nftables_test\n".getBytes(StandardCharsets.UTF_8),
                    List.of(binary.toString(), "--check", "-f", "-")).ok();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Runs a script as one transaction.
     *
     * @param script nft commands, one per line
     * @throws NftException with nft's message when it fails
     */
    public void run(String script) {
        Exec.Result r;
        try {
            r = Exec.run(script.getBytes(StandardCharsets.UTF_8), List.of(binary.toString(), "-f", "-"));
        } catch (IOException e) {
            throw new NftException("running nft failed: " + e.getMessage());
        }
        if (!r.ok()) {
            throw new NftException("nft failed: " + r.stderr().trim() + " (script: " + script.trim().replace('\n', ';') + ")");
        }
    }

    /**
     * Lists the rules of a chain.
     *
     * @param family e.g. {@code inet}
     * @param table the table
     * @param chain the chain
     * @return the rules; empty when the table or chain does not exist
     */
    public List<Rule> listRules(String family, String table, String chain) {
        List<Rule> out = new ArrayList<>();
        for (JsonNode rule : listedRules(List.of("chain", family, table, chain))) {
            out.add(new Rule(rule.path("handle").asLong(), rule.path("comment").asText(""), rule.path("expr")));
        }
        return out;
    }

    /**
     * A rule as listed with its table: its chain, handle and comment.
     *
     * @param chain the chain
     * @param handle the rule handle
     * @param comment the comment, "" when none
     * @param expr the rule's JSON expression list
     */
    public record ChainRule(String chain, long handle, String comment, JsonNode expr) {
    }

    /**
     * Lists every rule of a table in one call.
     *
     * @param family e.g. {@code ip}
     * @param table the table
     * @return the rules, in listing order; empty when the table does not exist
     */
    public List<ChainRule> listTableRules(String family, String table) {
        List<ChainRule> out = new ArrayList<>();
        for (JsonNode rule : listedRules(List.of("table", family, table))) {
            out.add(new ChainRule(rule.path("chain").asText(""), rule.path("handle").asLong(), rule.path("comment").asText(""),
                    rule.path("expr")));
        }
        return out;
    }

    /** The JSON {@code rule} objects of {@code nft -j list <what>}; none when the object does not exist. */
    private List<JsonNode> listedRules(List<String> what) {
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "-j", "list"));
        cmd.addAll(what);
        Exec.Result r;
        try {
            r = Exec.run(null, cmd);
        } catch (IOException e) {
            throw new NftException("running nft failed: " + e.getMessage());
        }
        if (!r.ok()) {
            if (r.stderr().contains("No such file or directory") || r.stderr().contains("does not exist")) {
                return List.of();
            }
            throw new NftException("nft list " + String.join(" ", what) + " failed: " + r.stderr().trim());
        }
        List<JsonNode> out = new ArrayList<>();
        try {
            JsonNode root = Json.parse(r.stdout().getBytes(StandardCharsets.UTF_8));
            for (JsonNode item : root.path("nftables")) {
                JsonNode rule = item.get("rule");
                if (rule != null) {
                    out.add(rule);
                }
            }
        } catch (IOException e) {
            throw new NftException("cannot parse nft output: " + e.getMessage());
        }
        return out;
    }

    /**
     * @param family e.g. {@code inet}
     * @param table the table
     * @return true when the table exists
     */
    public boolean tableExists(String family, String table) {
        try {
            return Exec.run(null, List.of(binary.toString(), "list", "table", family, table)).ok();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Quotes a string for an nft script ({@code "..."}, quotes removed as the Go plugins do).
     *
     * @param s the text
     * @return the quoted text
     */
    public static String quote(String s) {
        return "\"" + s.replace("\"", "").replace("\\", "") + "\"";
    }
}
