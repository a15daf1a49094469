package dev.jcni.netlink.route;

/** Route and address scopes ({@code RT_SCOPE_*}; Go: {@code netlink.SCOPE_*}). */
public final class Scope {
    private Scope() {
    }

    /** Global. */
    public static final int UNIVERSE = 0;
    /** Site. */
    public static final int SITE = 200;
    /** Directly attached on a link. */
    public static final int LINK = 253;
    /** This host. */
    public static final int HOST = 254;
    /** Nowhere (also "any scope" when deleting). */
    public static final int NOWHERE = 255;

    /**
     * @param scope a scope
     * @return {@code universe}, {@code site}, {@code link}, {@code host}, {@code nowhere} or the number, as {@code ip} prints it
     */
    public static String name(int scope) {
        switch (scope) {
            case UNIVERSE: return "universe";
            case SITE: return "site";
            case LINK: return "link";
            case HOST: return "host";
            case NOWHERE: return "nowhere";
            default: return Integer.toString(scope);
        }
    }
}
