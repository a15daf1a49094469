package dev.jcni.sdk.skel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.Validators;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Validators against generated strings, compared with an independent statement of each rule. */
class ValidatorPropertiesTest {

    @Provide
    Arbitrary<String> ifnames() {
        Arbitrary<Character> chars = Arbitraries.oneOf(
                Arbitraries.chars().alpha().numeric(),
                Arbitraries.of('/', ':', '.', '-', '_', ' ', '\t', '\n', '\u00a0', '\u0085', '\u2003', '\u2028', '\u3000', '\u200b'),
                Arbitraries.of('é', 'ß', '中', '\u00e9'),
                Arbitraries.chars().range('\u0100', '\u07ff'));
        return chars.list().ofMaxSize(18).map(l -> {
            StringBuilder sb = new StringBuilder();
            l.forEach(sb::append);
            return sb.toString();
        });
    }

    @Property(tries = 2000)
    void interfaceNameRule(@ForAll("ifnames") String name) {
        String expected = null;
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (name.isEmpty()) {
            expected = "interface name is empty";
        } else if (bytes > 15) {
            expected = "interface name is too long";
        } else if (name.equals(".") || name.equals("..")) {
            expected = "interface name is . or ..";
        } else if (name.chars().anyMatch(c -> c == '/' || c == ':' || c == ' ' || c == '\t' || c == '\n' || c == 0xa0
                || c == 0x85 || c == 0x2003 || c == 0x2028 || c == 0x3000)) {
            expected = "interface name contains / or : or whitespace characters";
        }
        if (expected == null) {
            Validators.validateInterfaceName(name);
        } else {
            CniException e = assertThrows(CniException.class, () -> Validators.validateInterfaceName(name));
            assertEquals(expected, e.msg());
            assertEquals(4, e.code());
        }
    }

    @Provide
    Arbitrary<String> ids() {
        return Arbitraries.strings().ascii().ofMaxLength(10);
    }

    @Property(tries = 2000)
    void containerIdRuleOverEveryAsciiCharacter(@ForAll("ids") String id) {
        boolean valid = id.matches("^[a-zA-Z0-9][a-zA-Z0-9_.\\-]*$");
        if (id.isEmpty()) {
            assertEquals(3, assertThrows(CniException.class, () -> Validators.validateContainerId(id)).code());
        } else if (valid) {
            Validators.validateContainerId(id);
        } else {
            CniException e = assertThrows(CniException.class, () -> Validators.validateContainerId(id));
            assertEquals("invalid characters in containerID", e.msg());
            assertEquals(id, e.details());
        }
    }

    @Property(tries = 1000)
    void networkNameRule(@ForAll("ids") String name) {
        boolean valid = name.matches("^[a-zA-Z0-9][a-zA-Z0-9_.\\-]*$");
        if (name.isEmpty()) {
            assertEquals("missing network name:", assertThrows(CniException.class, () -> Validators.validateNetworkName(name)).msg());
        } else if (valid) {
            Validators.validateNetworkName(name);
        } else {
            assertEquals(7, assertThrows(CniException.class, () -> Validators.validateNetworkName(name)).code());
        }
    }
}
