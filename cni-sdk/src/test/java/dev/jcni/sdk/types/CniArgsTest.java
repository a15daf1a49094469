package dev.jcni.sdk.types;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class CniArgsTest {

    @Test
    void parsesKeyValuePairsSeparatedBySemicolons() {
        CniArgs a = CniArgs.parse("IP=10.1.2.3;K8S_POD_NAME=web;MAC=");
        assertEquals(List.of(new CniArgs.Pair("IP", "10.1.2.3"), new CniArgs.Pair("K8S_POD_NAME", "web"),
                new CniArgs.Pair("MAC", "")), a.pairs());
        assertEquals(Optional.of("10.1.2.3"), a.get("IP"));
        assertEquals(Optional.empty(), a.get("ip"), "keys are case-sensitive");
    }

    @Test
    void emptyStringHasNoPairs() {
        assertTrue(CniArgs.parse("").pairs().isEmpty());
    }

    @Test
    void pairWithoutExactlyOneEqualsIsInvalid() {
        assertEquals("ARGS: invalid pair \"A\"", assertThrows(IllegalArgumentException.class, () -> CniArgs.parse("A")).getMessage());
        assertEquals("ARGS: invalid pair \"A=1=2\"", assertThrows(IllegalArgumentException.class, () -> CniArgs.parse("A=1=2")).getMessage());
        assertEquals("ARGS: invalid pair \"\"", assertThrows(IllegalArgumentException.class, () -> CniArgs.parse("A=1;")).getMessage());
    }

    @Test
    void unknownKeysAreRejectedUnlessIgnoreUnknown() {
        CniArgs a = CniArgs.parse("IP=1.2.3.4;FOO=bar;BAZ=1");
        assertEquals("ARGS: unknown args [\"FOO=bar\" \"BAZ=1\"]",
                assertThrows(IllegalArgumentException.class, () -> a.checkKnown(Set.of("IP"))).getMessage());
        for (String v : List.of("1", "true", "True", "TRUE")) {
            assertDoesNotThrow(() -> CniArgs.parse("FOO=bar;IgnoreUnknown=" + v).checkKnown(Set.of("IP")));
        }
        assertThrows(IllegalArgumentException.class, () -> CniArgs.parse("FOO=bar;IgnoreUnknown=0").checkKnown(Set.of("IP")));
        assertEquals("boolean unmarshal error: invalid input yes",
                assertThrows(IllegalArgumentException.class, () -> CniArgs.parse("IgnoreUnknown=yes").checkKnown(Set.of())).getMessage());
    }

    @Property
    void formatThenParseIsIdentity(@ForAll("args") CniArgs args) {
        assertEquals(args, CniArgs.parse(args.format()));
    }

    @Provide
    Arbitrary<CniArgs> args() {
        Arbitrary<String> text = Arbitraries.strings().ofMaxLength(12).excludeChars(';', '=');
        return Combinators.combine(text.filter(s -> !s.isEmpty()), text).as(CniArgs.Pair::new)
                .list().ofMinSize(1).ofMaxSize(6).map(CniArgs::new);
    }
}
