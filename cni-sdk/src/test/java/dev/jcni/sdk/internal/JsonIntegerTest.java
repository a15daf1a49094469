package dev.jcni.sdk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** {@link Json#parse}'s integers are the nodes Jackson's own tree reader makes: same type, same value. */
class JsonIntegerTest {
    private static final ObjectMapper JACKSON = new ObjectMapper();

    private static void sameAsJackson(String text) throws Exception {
        JsonNode ours = Json.parse(("[" + text + "]").getBytes(StandardCharsets.UTF_8)).get(0);
        JsonNode theirs = JACKSON.readTree("[" + text + "]").get(0);
        assertEquals(theirs.getClass(), ours.getClass(), text);
        assertEquals(theirs, ours, text);
        assertEquals(theirs.bigIntegerValue(), ours.bigIntegerValue(), text);
    }

    @Test
    void theBoundariesOfIntAndLong() throws Exception {
        for (String t : List.of("0", "-0", "1", "-1", "2147483647", "2147483648", "-2147483648", "-2147483649",
                "123456789012345678", "-12345678901234567", "9223372036854775807", "9223372036854775808",
                "-9223372036854775808", "-9223372036854775809", "123456789012345678901234567890")) {
            sameAsJackson(t);
        }
    }

    @Property(tries = 300)
    void anyInteger(@ForAll BigInteger n) throws Exception {
        sameAsJackson(n.toString());
    }

    @Property(tries = 300)
    void anyLong(@ForAll long n) throws Exception {
        sameAsJackson(Long.toString(n));
    }
}
