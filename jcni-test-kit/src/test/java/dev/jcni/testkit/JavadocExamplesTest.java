package dev.jcni.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.types.Interface;
import dev.jcni.sdk.types.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The code examples in the Javadoc of {@link TempNetns} and {@link NetnsExtension}, compiled and run
 * here exactly as they are written there: {@link #theJavadocExamplesAreTheCodeOfThisFile} fails when an
 * example in the Javadoc is not a piece of this file.
 */
class JavadocExamplesTest {
    static final String CONFIG = "{\"cniVersion\":\"1.1.0\",\"name\":\"example\",\"type\":\"my-plugin\"}";

    /** The plugin the examples test: ADD reports the container's interface. */
    static final class MyPlugin implements Plugin {
        @Override
        public Result add(Request request) {
            return Result.empty().withInterfaces(List.of(Interface.container(request.ifName(), "", request.netns())));
        }

        @Override
        public void check(Request request) {
        }

        @Override
        public void del(Request request) {
        }
    }

    @Test
    @KernelTest
    void tempNetnsExample() {
        // example: TempNetns
        try (TempNetns ns = TempNetns.create()) {
            Result r = ns.harness(new MyPlugin()).run("ADD", CONFIG).result();
            assertEquals("eth0", r.interfaces().get(0).name());
        }
        // end
    }

    @Nested
    @KernelTest
    // example: NetnsExtension
    @ExtendWith(NetnsExtension.class)
    class MyPluginTest {
        @Test
        void addsEth0(TempNetns ns) {
            Result r = ns.harness(new MyPlugin()).run("ADD", CONFIG).result();
            assertEquals("eth0", r.interfaces().get(0).name());
        }
    }
    // end

    @Test
    void theJavadocExamplesAreTheCodeOfThisFile() throws IOException {
        String self = Files.readString(source("src/test/java", JavadocExamplesTest.class));
        for (Class<?> documented : List.of(TempNetns.class, NetnsExtension.class)) {
            List<String> examples = examples(Files.readString(source("src/main/java", documented)));
            assertFalse(examples.isEmpty(), documented + " has a code example");
            for (String example : examples) {
                assertTrue(normalized(self).contains(example),
                        "the example of " + documented.getSimpleName() + " is not code of JavadocExamplesTest:\n" + example);
            }
        }
    }

    private static Path source(String root, Class<?> c) {
        return Path.of(root, c.getName().replace('.', '/') + ".java");
    }

    /** The {@code <pre>{@code ...}</pre>} blocks of a source file, without the comment's stars, normalized. */
    static List<String> examples(String source) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("<pre>\\{@code\\n(.*?)\\n \\* }</pre>", Pattern.DOTALL).matcher(source);
        while (m.find()) {
            out.add(normalized(m.group(1).replaceAll("(?m)^ \\* ?", "")));
        }
        return out;
    }

    /** Lines stripped of leading blanks, so that nesting depth does not matter. */
    static String normalized(String code) {
        return code.lines().map(String::strip).reduce((a, b) -> a + "\n" + b).orElse("");
    }
}
