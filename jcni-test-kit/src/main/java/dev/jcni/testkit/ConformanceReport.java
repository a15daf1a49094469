package dev.jcni.testkit;

import java.util.List;

/**
 * What {@link Conformance#run()} found: one {@link Finding} per rule and version (or variant), in
 * the order checked.
 *
 * @param target what ran: the plugin class (in-process) or the executable's path
 * @param configuration one line about the configuration (name, type, cniVersion)
 * @param claimedVersions the versions the plugin's VERSION answer listed
 * @param findings what held and what did not
 */
public record ConformanceReport(String target, String configuration, List<String> claimedVersions, List<Finding> findings) {

    /** Canonical constructor: copies the lists. */
    public ConformanceReport {
        claimedVersions = List.copyOf(claimedVersions);
        findings = List.copyOf(findings);
    }

    /** How a rule fared. */
    public enum Status {
        /** The plugin follows the rule. */
        HOLDS,
        /** The plugin breaks the rule; {@link Finding#detail()} says how. */
        BROKEN,
        /** The rule does not apply (e.g. GC for a plugin that does not claim 1.1.0); the detail says why. */
        NOT_APPLICABLE
    }

    /**
     * One rule checked once.
     *
     * @param rule the rule
     * @param qualifier the version it was checked at, or the variant ({@code CNI_NETNS}...); "" when neither
     * @param status how it fared
     * @param detail what was seen (for a broken rule: what the plugin did instead); may be ""
     */
    public record Finding(Rule rule, String qualifier, Status status, String detail) {
        /** @return {@code rule-id} or {@code rule-id@qualifier}: a stable name to expect a finding by */
        public String key() {
            return qualifier.isEmpty() ? rule.id() : rule.id() + "@" + qualifier;
        }

        /** @return the rule's text and qualifier, for a report or a test name */
        public String title() {
            return rule.text() + (qualifier.isEmpty() ? "" : " [" + qualifier + "]");
        }
    }

    /** @return the findings whose rule is broken */
    public List<Finding> broken() {
        return findings.stream().filter(f -> f.status() == Status.BROKEN).toList();
    }

    /** @return the keys of the broken findings, in order (see {@link Finding#key()}) */
    public List<String> brokenKeys() {
        return broken().stream().map(Finding::key).toList();
    }

    /** @return true when no rule is broken */
    public boolean conforms() {
        return broken().isEmpty();
    }

    /** @return the report as text for people: one line per finding, details indented, a summary last */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append("CNI conformance of ").append(target).append('\n');
        sb.append("configuration: ").append(configuration).append('\n');
        sb.append("claimed versions: ").append(String.join(", ", claimedVersions)).append('\n');
        int holds = 0;
        int broken = 0;
        int na = 0;
        for (Finding f : findings) {
            String tag = switch (f.status()) {
                case HOLDS -> "ok    ";
                case BROKEN -> "BROKEN";
                case NOT_APPLICABLE -> "n/a   ";
            };
            switch (f.status()) {
                case HOLDS -> holds++;
                case BROKEN -> broken++;
                case NOT_APPLICABLE -> na++;
            }
            sb.append("  ").append(tag).append("  ").append(f.title()).append("   (").append(f.key()).append(")\n");
            if (!f.detail().isEmpty() && f.status() != Status.HOLDS) {
                for (String line : f.detail().split("\n")) {
                    sb.append("            ").append(line).append('\n');
                }
            }
        }
        sb.append("summary: ").append(holds).append(" rules hold, ").append(broken).append(" broken, ")
                .append(na).append(" not applicable").append('\n');
        return sb.toString();
    }
}
