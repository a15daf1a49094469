package dev.jcni.sdk.types;

import java.nio.charset.StandardCharsets;

/**
 * The validation rules of container ids, network names and interface names (Go's {@code pkg/utils}),
 * with Go's codes and messages. Used by the skel and by the runtime.
 */
public final class Validators {
    private Validators() {
    }

    /** The longest interface name the kernel accepts, in bytes (IFNAMSIZ - 1). */
    public static final int MAX_INTERFACE_NAME_BYTES = 15;

    /**
     * The container id rule: non-empty and {@code ^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$}. No length limit.
     *
     * @param id the id
     * @throws CniException code 3 {@code missing containerID}; code 4
     *     {@code invalid characters in containerID} with the id as details
     */
    public static void validateContainerId(String id) {
        if (id.isEmpty()) {
            throw new CniException(ErrorCodes.UNKNOWN_CONTAINER, "missing containerID", "");
        }
        if (!matchesIdRule(id)) {
            throw new CniException(ErrorCodes.INVALID_ENVIRONMENT_VARIABLES, "invalid characters in containerID", id);
        }
    }

    /**
     * The network name rule (libcni's): non-empty and the container id pattern.
     *
     * @param name the name
     * @throws CniException code 7 {@code missing network name:} (with Go's trailing colon), or
     *     {@code invalid characters found in network name} with the name as details
     */
    public static void validateNetworkName(String name) {
        if (name.isEmpty()) {
            throw new CniException(ErrorCodes.INVALID_NETWORK_CONFIG, "missing network name:", "");
        }
        if (!matchesIdRule(name)) {
            throw new CniException(ErrorCodes.INVALID_NETWORK_CONFIG, "invalid characters found in network name", name);
        }
    }

    /**
     * The interface name rule: non-empty, at most 15 bytes of UTF-8, not {@code .} or {@code ..},
     * no {@code /}, {@code :} or Unicode white space.
     *
     * @param name the name
     * @throws CniException code 4 with Go's message for the broken rule
     */
    public static void validateInterfaceName(String name) {
        if (name.isEmpty()) {
            throw new CniException(ErrorCodes.INVALID_ENVIRONMENT_VARIABLES, "interface name is empty", "");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_INTERFACE_NAME_BYTES) {
            throw new CniException(ErrorCodes.INVALID_ENVIRONMENT_VARIABLES, "interface name is too long",
                    "interface name should be less than " + (MAX_INTERFACE_NAME_BYTES + 1) + " characters");
        }
        if (name.equals(".") || name.equals("..")) {
            throw new CniException(ErrorCodes.INVALID_ENVIRONMENT_VARIABLES, "interface name is . or ..", "");
        }
        boolean bad = false;
        for (int i = 0; i < name.length(); i += Character.charCount(name.codePointAt(i))) {
            int cp = name.codePointAt(i);
            bad |= cp == '/' || cp == ':' || isGoSpace(cp);
        }
        if (bad) {
            throw new CniException(ErrorCodes.INVALID_ENVIRONMENT_VARIABLES,
                    "interface name contains / or : or whitespace characters", "");
        }
    }

    /**
     * Go's {@code unicode.IsSpace}: the ASCII spaces, U+0085, U+00A0 and the Z categories.
     *
     * @param cp a code point
     * @return true for white space
     */
    public static boolean isGoSpace(int cp) {
        switch (cp) {
            case '\t', '\n', 0x0b, '\f', '\r', ' ', 0x85, 0xa0:
                return true;
            default:
                int t = Character.getType(cp);
                return cp > 0xff && (t == Character.SPACE_SEPARATOR || t == Character.LINE_SEPARATOR
                        || t == Character.PARAGRAPH_SEPARATOR);
        }
    }

    private static boolean matchesIdRule(String s) {
        if (s.isEmpty() || !isAlnum(s.charAt(0))) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!isAlnum(c) && c != '_' && c != '.' && c != '-') {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
}
