package dev.jcni.plugins.portmap;

import static dev.jcni.plugins.portmap.IptablesRules.MASQ_CHAIN;
import static dev.jcni.plugins.portmap.IptablesRules.SETMARK_CHAIN;
import static dev.jcni.plugins.portmap.IptablesRules.TABLE;
import static dev.jcni.plugins.portmap.IptablesRules.TOP_DNAT_CHAIN;

import dev.jcni.plugins.PluginLock;
import dev.jcni.plugins.firewall.Iptables;
import dev.jcni.plugins.firewall.SpecLines;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import dev.jcni.sdk.types.IpPrefix;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The iptables backend: Go's chains and rules (see {@link IptablesRules}), created idempotently
 * (a rule is added only when it is not there yet), torn down by chain name. ADD and DEL list the
 * table once and apply what is missing (or to remove) as one {@code iptables-restore --noflush}
 * transaction; when that is not possible they do it as Go does, one {@code iptables} command per
 * check and change.
 */
final class IptablesPortMapper implements PortMapper {
    /** The host-wide lock around the check-then-add of the shared chains (jcni's; Go's portmap takes none). */
    static final Path LOCK_FILE = Path.of("/run/jcni/portmap.lock");

    private final System.Logger log;

    /** @param log where the fall-back from a failed transaction to Go's way is reported */
    IptablesPortMapper(System.Logger log) {
        this.log = log;
    }

    @Override
    public void forward(PortmapConfig config, String containerId, IpPrefix container) {
        boolean v6 = !container.isIpv4();
        Iptables ipt;
        try {
            ipt = Iptables.require(v6);
        } catch (RuntimeException e) {
            throw failure("failed to open iptables: " + e.getMessage());
        }
        // the shared chains are checked and completed under a lock, so that concurrent ADDs of jcni
        // do not add a shared rule twice
        try (PluginLock lock = PluginLock.acquire(LOCK_FILE)) {
            try {
                forwardInOneTransaction(ipt, config, containerId, container);
                return;
            } catch (Iptables.IptablesException e) {
                // no iptables-restore, or the table changed meanwhile: Go's way, one command at a time
                fallingBack("ADD", e);
            }
            forwardStepByStep(ipt, config, containerId, container);
        }
    }

    /**
     * The common case in three commands: list the table, then add what is missing with one
     * {@code iptables-restore --noflush} (atomic with the nf_tables flavour). A rule of an existing
     * chain counts as present when the listing shows it as written (the shared rules) or
     * {@code iptables -C} finds it; a new container chain gets all its rules without asking. Creating
     * a chain that appeared since the listing fails the transaction, and the caller falls back.
     */
    static void forwardInOneTransaction(Iptables ipt, PortmapConfig config, String containerId, IpPrefix container) {
        boolean v6 = !container.isIpv4();
        Table t = new Table(ipt, ipt.listTable(TABLE));
        if (config.snat() && config.externalSetMarkChain().isEmpty()) {
            t.ensureChain(SETMARK_CHAIN);
            t.ensureRule(SETMARK_CHAIN, IptablesRules.setMarkRule(config.markMasqBit()), false);
            t.ensureChain(MASQ_CHAIN);
            t.ensureRule(MASQ_CHAIN, IptablesRules.masqRule(config.markMasqBit()), false);
            t.ensureRule("POSTROUTING", IptablesRules.masqEntryRule(), true);
        }
        t.ensureChain(TOP_DNAT_CHAIN);
        for (String entry : IptablesRules.TOP_DNAT_ENTRY_CHAINS) {
            t.ensureRule(entry, IptablesRules.topDnatEntryRule(), false);
        }
        String chain = IptablesRules.dnatChain(config.network(), containerId);
        t.ensureChain(chain);
        for (List<String> rule : IptablesRules.dnatRules(config, container)) {
            t.ensureRule(chain, rule, false);
        }
        for (List<String> rule : IptablesRules.entryRules(config, containerId, v6)) {
            t.ensureRule(TOP_DNAT_CHAIN, rule, false);
        }
        ipt.restore(TABLE, t.commands);
    }

    /** A listed table and the commands that complete it. */
    private static final class Table {
        final Iptables ipt;
        final Set<String> chains = new HashSet<>();
        final Set<String> newChains = new HashSet<>();
        final Set<String> lines;
        final List<List<String>> commands = new ArrayList<>();

        Table(Iptables ipt, List<String> listing) {
            this.ipt = ipt;
            this.lines = new HashSet<>(listing);
            for (String l : listing) {
                List<String> w = SpecLines.split(l);
                if (w.size() >= 2 && (w.get(0).equals("-N") || w.get(0).equals("-P"))) {
                    chains.add(w.get(1));
                }
            }
        }

        void ensureChain(String chain) {
            if (!chains.contains(chain)) {
                commands.add(List.of("-N", chain));
                chains.add(chain);
                newChains.add(chain);
            }
        }

        void ensureRule(String chain, List<String> rule, boolean first) {
            // a rule in, or jumping to, a chain this transaction makes cannot exist yet
            boolean present = !newChains.contains(chain) && !newChains.contains(target(rule))
                    && (lines.contains(Iptables.specLine(chain, rule)) || ipt.exists(TABLE, chain, rule));
            if (present) {
                return;
            }
            List<String> c = new ArrayList<>(first ? List.of("-I", chain, "1") : List.of("-A", chain));
            c.addAll(rule);
            commands.add(c);
            lines.add(Iptables.specLine(chain, rule));
        }
    }

    private static String target(List<String> rule) {
        int j = rule.lastIndexOf("-j");
        return j >= 0 && j + 1 < rule.size() ? rule.get(j + 1) : "";
    }

    private void fallingBack(String verb, Iptables.IptablesException e) {
        log.log(System.Logger.Level.WARNING, () -> "portmap " + verb + ": the iptables-restore transaction failed ("
                + e.getMessage() + "); going on one iptables command at a time");
    }

    /** Go's way: every chain and rule checked and added with its own command. */
    static void forwardStepByStep(Iptables ipt, PortmapConfig config, String containerId, IpPrefix container) {
        boolean v6 = !container.isIpv4();
        if (config.snat() && config.externalSetMarkChain().isEmpty()) {
            try {
                ipt.ensureChain(TABLE, SETMARK_CHAIN);
                ipt.appendUnique(TABLE, SETMARK_CHAIN, IptablesRules.setMarkRule(config.markMasqBit()));
            } catch (RuntimeException e) {
                throw failure("unable to create chain " + SETMARK_CHAIN + ": " + e.getMessage());
            }
            try {
                ipt.ensureChain(TABLE, MASQ_CHAIN);
                ipt.appendUnique(TABLE, MASQ_CHAIN, IptablesRules.masqRule(config.markMasqBit()));
                ipt.insertUnique(TABLE, "POSTROUTING", 1, IptablesRules.masqEntryRule());
            } catch (RuntimeException e) {
                throw failure("unable to create chain " + MASQ_CHAIN + ": " + e.getMessage());
            }
        }
        try {
            ipt.ensureChain(TABLE, TOP_DNAT_CHAIN);
            for (String entry : IptablesRules.TOP_DNAT_ENTRY_CHAINS) {
                ipt.appendUnique(TABLE, entry, IptablesRules.topDnatEntryRule());
            }
        } catch (RuntimeException e) {
            throw failure("failed to create top-level DNAT chain: " + e.getMessage());
        }
        String chain = IptablesRules.dnatChain(config.network(), containerId);
        try {
            ipt.ensureChain(TABLE, chain);
            for (List<String> rule : IptablesRules.dnatRules(config, container)) {
                ipt.appendUnique(TABLE, chain, rule);
            }
            for (List<String> rule : IptablesRules.entryRules(config, containerId, v6)) {
                ipt.appendUnique(TABLE, TOP_DNAT_CHAIN, rule);
            }
        } catch (RuntimeException e) {
            throw failure("unable to setup DNAT: " + e.getMessage());
        }
    }

    @Override
    public void check(PortmapConfig config, String containerId, IpPrefix container) {
        boolean v6 = !container.isIpv4();
        Usable u = usable(v6);
        if (u.tool().isEmpty()) {
            throw failure("neither iptables nor ip6tables is usable, (iptables) " + (v6 ? "<nil>" : u.error())
                    + ", (ip6tables) " + (v6 ? u.error() : "<nil>"));
        }
        Iptables ipt = u.tool().get();
        String chain = IptablesRules.dnatChain(config.network(), containerId);
        String prefix = "could not check " + (v6 ? "ipv6" : "ipv4") + " dnat: ";
        if (!ipt.chainExists(TABLE, chain)) {
            throw failure(prefix + "chain " + chain + " not found in iptables table " + TABLE);
        }
        List<List<String>> rules = IptablesRules.dnatRules(config, container);
        for (int i = rules.size() - 1; i >= 0; i--) {
            if (!exists(ipt, chain, rules.get(i))) {
                throw failure(prefix + "rule " + IptablesRules.format(rules) + " in chain " + chain + " not found in table " + TABLE);
            }
        }
        List<List<String>> entries = IptablesRules.entryRules(config, containerId, v6);
        List<List<String>> entriesWithoutJump = new ArrayList<>();
        for (List<String> e : entries) {
            entriesWithoutJump.add(e.subList(0, e.size() - 2));
        }
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (!exists(ipt, TOP_DNAT_CHAIN, entries.get(i))) {
                throw failure(prefix + "rule " + IptablesRules.format(entriesWithoutJump) + " in chain " + TOP_DNAT_CHAIN
                        + " not found in table " + TABLE);
            }
        }
    }

    private static boolean exists(Iptables ipt, String chain, List<String> rule) {
        try {
            return ipt.exists(TABLE, chain, rule);
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void unforward(PortmapConfig config, String containerId) {
        String chain = IptablesRules.dnatChain(config.network(), containerId);
        String oldChain = IptablesRules.oldSnatChain(config.network(), containerId);
        List<String> unusable = new ArrayList<>();
        for (boolean v6 : new boolean[] {false, true}) {
            Optional<Iptables> ipt = Iptables.find(v6);
            List<String> listing;
            try {
                listing = ipt.orElseThrow(() -> new IllegalStateException("exec: \"" + (v6 ? "ip6tables" : "iptables")
                        + "\": executable file not found in $PATH")).listTable(TABLE);
            } catch (RuntimeException e) {
                unusable.add(e.getMessage());
                continue;
            }
            try {
                // the common case: one transaction removes the entry rules and both chains
                ipt.get().restore(TABLE, teardownCommands(listing, List.of(chain, oldChain),
                        List.of(TOP_DNAT_CHAIN, IptablesRules.OLD_TOP_SNAT_CHAIN)));
                continue;
            } catch (Iptables.IptablesException e) {
                // the step-by-step way below reports what is wrong
                fallingBack("DEL", e);
            }
            try {
                ipt.get().deleteChainAndJumps(TABLE, chain, TOP_DNAT_CHAIN);
            } catch (RuntimeException e) {
                throw failure("could not teardown " + (v6 ? "ipv6" : "ipv4") + " dnat: " + e.getMessage());
            }
            try {
                ipt.get().deleteChainAndJumps(TABLE, oldChain, IptablesRules.OLD_TOP_SNAT_CHAIN);
            } catch (RuntimeException e) {
                // left over by old versions only: as Go, not an error
            }
        }
        if (unusable.size() == 2) {
            throw failure("neither iptables nor ip6tables is usable, (iptables) " + unusable.get(0) + ", (ip6tables) " + unusable.get(1));
        }
    }

    /**
     * The commands that delete chains (those present in the listing) and every rule of their entry
     * chain that jumps to them.
     */
    static List<List<String>> teardownCommands(List<String> listing, List<String> chains, List<String> entryChains) {
        List<List<String>> cmds = new ArrayList<>();
        for (int i = 0; i < chains.size(); i++) {
            String chain = chains.get(i);
            if (!listing.contains("-N " + chain)) {
                continue;
            }
            for (String line : listing) {
                List<String> w = SpecLines.split(line);
                if (w.size() > 2 && w.get(0).equals("-A") && w.get(1).equals(entryChains.get(i)) && SpecLines.jumpsTo(w, chain)) {
                    List<String> d = new ArrayList<>(w);
                    d.set(0, "-D");
                    cmds.add(d);
                }
            }
            cmds.add(List.of("-F", chain));
            cmds.add(List.of("-X", chain));
        }
        return cmds;
    }

    @Override
    public Set<Integer> gc(String network, Set<String> validIds) {
        Set<Integer> udpPorts = new LinkedHashSet<>();
        List<String> errors = new ArrayList<>();
        for (boolean v6 : new boolean[] {false, true}) {
            Usable u = usable(v6);
            if (u.tool().isEmpty()) {
                continue;
            }
            Iptables ipt = u.tool().get();
            try {
                if (!ipt.chainExists(TABLE, TOP_DNAT_CHAIN)) {
                    continue;
                }
                Set<String> stale = new LinkedHashSet<>();
                for (String line : ipt.listRules(TABLE, TOP_DNAT_CHAIN)) {
                    IptablesRules.containerIdOfEntry(network, SpecLines.split(line))
                            .filter(id -> !validIds.contains(id)).ifPresent(stale::add);
                }
                for (String id : stale) {
                    String chain = IptablesRules.dnatChain(network, id);
                    try {
                        if (ipt.chainExists(TABLE, chain)) {
                            for (String line : ipt.listRules(TABLE, chain)) {
                                udpPort(SpecLines.split(line)).ifPresent(udpPorts::add);
                            }
                        }
                        ipt.deleteChainAndJumps(TABLE, chain, TOP_DNAT_CHAIN);
                    } catch (RuntimeException e) {
                        errors.add("could not remove the port forwarding of " + id + " (" + (v6 ? "ipv6" : "ipv4") + "): "
                                + e.getMessage());
                    }
                }
            } catch (RuntimeException e) {
                errors.add(e.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            throw failure(String.join("; ", errors));
        }
        return udpPorts;
    }

    /** The host port of a container-chain rule for UDP ({@code -p udp ... --dport N}). */
    static Optional<Integer> udpPort(List<String> words) {
        int p = words.indexOf("-p");
        int d = words.indexOf("--dport");
        if (p < 0 || d < 0 || p + 1 >= words.size() || d + 1 >= words.size() || !words.get(p + 1).equals("udp")) {
            return Optional.empty();
        }
        try {
            return Optional.of(Integer.parseInt(words.get(d + 1)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** A family's tool when usable (Go's {@code maybeGetIptables}: it can list {@code nat OUTPUT}), else the reason. */
    private record Usable(Optional<Iptables> tool, String error) {
    }

    private static Usable usable(boolean v6) {
        Optional<Iptables> ipt = Iptables.find(v6);
        if (ipt.isEmpty()) {
            return new Usable(Optional.empty(), "exec: \"" + (v6 ? "ip6tables" : "iptables") + "\": executable file not found in $PATH");
        }
        try {
            ipt.get().listRules(TABLE, "OUTPUT");
            return new Usable(ipt, "<nil>");
        } catch (RuntimeException e) {
            return new Usable(Optional.empty(), e.getMessage());
        }
    }

    static CniException failure(String msg) {
        return new CniException(ErrorCodes.INTERNAL, msg);
    }
}
