package dev.jcni.sdk.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The one place that touches Jackson: parsing to a tree and writing trees, with jackson-core's
 * streaming parser and generator (no ObjectMapper: building one costs a plugin's start-up). Binding
 * to Java types is {@link GoJson}'s; plain Java values are {@link JsonValues}'. Jackson stays an
 * implementation detail.
 */
public final class Json {
    private Json() {
    }

    private static final class Pretty {
        static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                .withObjectEmptySeparator("")
                .withArrayEmptySeparator(""))
                .withObjectIndenter(new DefaultIndenter("    ", "\n"))
                .withArrayIndenter(new DefaultIndenter("    ", "\n"));
    }

    /** @return the node factory */
    public static JsonNodeFactory nodes() {
        return JsonNodeFactory.instance;
    }

    /** @return a new empty object node */
    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    /** @return a new empty array node */
    public static ArrayNode array() {
        return JsonNodeFactory.instance.arrayNode();
    }

    /**
     * Parses JSON text.
     *
     * @param bytes UTF-8 JSON
     * @return the tree
     * @throws JsonProcessingException when it is not JSON (message is Jackson's, first line only)
     */
    public static JsonNode parse(byte[] bytes) throws JsonProcessingException {
        try (JsonParser p = Factory.JSON.createParser(bytes)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new EmptyInput();
            }
            JsonNode node = readValue(p, t);
            if (p.nextToken() != null) {
                throw new JsonParseException(p, "invalid character after top-level value");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A streaming parser over JSON text (for {@link GoJson}, which binds without building a tree).
     *
     * @param bytes UTF-8 JSON
     * @return the parser, before its first token
     * @throws IOException when the parser cannot be made
     */
    static JsonParser parser(byte[] bytes) throws IOException {
        return Factory.JSON.createParser(bytes);
    }

    /** The streaming factory: parsing and writing trees need no ObjectMapper (slow to start, never built). */
    private static final class Factory {
        static final JsonFactory JSON = JsonFactory.builder().build();
    }

    static JsonNode readValue(JsonParser p, JsonToken t) throws IOException {
        JsonNodeFactory f = JsonNodeFactory.instance;
        switch (t) {
            case START_OBJECT: {
                ObjectNode o = f.objectNode();
                for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
                    String name = p.currentName();
                    o.set(name, readValue(p, p.nextToken()));
                }
                return o;
            }
            case START_ARRAY: {
                ArrayNode a = f.arrayNode();
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                    a.add(readValue(p, e));
                }
                return a;
            }
            case VALUE_STRING:
                return f.textNode(p.getText());
            case VALUE_NUMBER_INT:
                return integer(f, p.getText());
            case VALUE_NUMBER_FLOAT:
                return f.numberNode(p.getDecimalValue());
            case VALUE_TRUE:
                return f.booleanNode(true);
            case VALUE_FALSE:
                return f.booleanNode(false);
            case VALUE_NULL:
                return f.nullNode();
            default:
                throw new JsonParseException(p, "unexpected token " + t);
        }
    }

    /**
     * An integer token's node: an int, a long or a big integer, the smallest that holds it, as
     * Jackson's {@code getNumberType} chooses. Parsed here from the token's text (JSON's integer
     * syntax, which the parser has checked): Jackson's own number parsing initialises its
     * {@code NumberInput}, whose regex sets up the lambda machinery of a cold JVM, several ms.
     */
    static JsonNode integer(JsonNodeFactory f, String text) {
        if (text.length() <= 18) { // 17 digits and a sign fit a long
            long v = Long.parseLong(text);
            return v == (int) v ? f.numberNode((int) v) : f.numberNode(v);
        }
        java.math.BigInteger b = new java.math.BigInteger(text);
        if (b.bitLength() < 32) {
            return f.numberNode(b.intValue());
        }
        return b.bitLength() < 64 ? f.numberNode(b.longValue()) : f.numberNode(b);
    }

    private static byte[] writeTree(JsonNode node, boolean pretty) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(256);
        try (JsonGenerator g = Factory.JSON.createGenerator(out)) {
            if (pretty) {
                g.setPrettyPrinter(new DefaultPrettyPrinter(Pretty.PRETTY));
            }
            writeValue(g, node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void writeValue(JsonGenerator g, JsonNode n) throws IOException {
        switch (n.getNodeType()) {
            case OBJECT:
                g.writeStartObject();
                for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    g.writeFieldName(e.getKey());
                    writeValue(g, e.getValue());
                }
                g.writeEndObject();
                break;
            case ARRAY:
                g.writeStartArray();
                for (JsonNode c : n) {
                    writeValue(g, c);
                }
                g.writeEndArray();
                break;
            case STRING:
                g.writeString(n.textValue());
                break;
            case NUMBER:
                if (n.isBigDecimal()) {
                    g.writeNumber(n.decimalValue());
                } else if (n.isBigInteger()) {
                    g.writeNumber(n.bigIntegerValue());
                } else if (n.isIntegralNumber()) {
                    g.writeNumber(n.longValue());
                } else {
                    g.writeNumber(n.doubleValue());
                }
                break;
            case BOOLEAN:
                g.writeBoolean(n.booleanValue());
                break;
            case NULL:
                g.writeNull();
                break;
            default:
                g.writeString(n.asText());
        }
    }

    /** Thrown by {@link #parse(byte[])} on empty input. */
    public static final class EmptyInput extends JsonProcessingException {
        private static final long serialVersionUID = 1L;

        EmptyInput() {
            super("unexpected end of JSON input");
        }
    }

    /**
     * A short, one-line description of a JSON parse error, without Jackson's source excerpts.
     *
     * @param e the exception
     * @return the message
     */
    public static String describe(JsonProcessingException e) {
        String m = e.getOriginalMessage();
        if (m == null) {
            m = e.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        if (nl >= 0) {
            m = m.substring(0, nl);
        }
        if (e.getLocation() != null && !(e instanceof EmptyInput)) {
            m = m + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
        }
        return m;
    }

    /**
     * Compact serialization.
     *
     * @param node a tree
     * @return UTF-8 bytes
     */
    public static byte[] write(JsonNode node) {
        return writeTree(node, false);
    }

    /**
     * Serialization indented with four spaces, as Go's {@code types.PrintResult} does.
     *
     * @param node a tree
     * @return UTF-8 bytes
     */
    public static byte[] writeIndented(JsonNode node) {
        return writeTree(node, true);
    }

    /**
     * Serialization with keys sorted recursively, compact, the way Go re-marshals a map.
     *
     * @param node a tree
     * @return UTF-8 bytes
     */
    public static byte[] writeSorted(JsonNode node) {
        return write(sorted(node));
    }

    /**
     * A copy of a tree with every object's keys sorted.
     *
     * @param node a tree
     * @return the sorted copy
     */
    public static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            ObjectNode out = object();
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            Collections.sort(names);
            for (String n : names) {
                out.set(n, sorted(node.get(n)));
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = array();
            for (JsonNode c : node) {
                out.add(sorted(c));
            }
            return out;
        }
        return node;
    }

    /**
     * Semantic equality of two trees: object key order is ignored and numbers compare by value
     * ({@code 1}, {@code 1.0} and a long 1 are equal).
     *
     * @param a a tree
     * @param b another tree
     * @return true when equal
     */
    public static boolean semanticEquals(JsonNode a, JsonNode b) {
        return a.equals(NUMBER_AWARE, b);
    }

    /**
     * A hash code consistent with {@link #semanticEquals(JsonNode, JsonNode)}.
     *
     * @param n a tree
     * @return the hash
     */
    public static int semanticHash(JsonNode n) {
        if (n.isObject()) {
            int h = 0;
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                h += e.getKey().hashCode() ^ semanticHash(e.getValue());
            }
            return h;
        }
        if (n.isArray()) {
            int h = 1;
            for (JsonNode c : n) {
                h = 31 * h + semanticHash(c);
            }
            return h;
        }
        if (n.isNumber()) {
            return n.decimalValue().stripTrailingZeros().hashCode();
        }
        return n.hashCode();
    }

    private static final java.util.Comparator<JsonNode> NUMBER_AWARE = new java.util.Comparator<>() { // no lambda at start-up
        @Override
        public int compare(JsonNode x, JsonNode y) {
            if (x.isNumber() && y.isNumber()) {
                return x.decimalValue().compareTo(y.decimalValue());
            }
            return x.equals(y) ? 0 : 1;
        }
    };

    /**
     * Go's {@code %T} name for the type a JSON value decodes to with {@code interface{}}.
     *
     * @param node a value
     * @return e.g. {@code float64}, {@code bool}, {@code map[string]interface {}}
     */
    public static String goTypeName(JsonNode node) {
        if (node == null || node.isNull()) {
            return "<nil>";
        }
        if (node.isNumber()) {
            return "float64";
        }
        if (node.isBoolean()) {
            return "bool";
        }
        if (node.isTextual()) {
            return "string";
        }
        if (node.isArray()) {
            return "[]interface {}";
        }
        return "map[string]interface {}";
    }

    /**
     * Go's name of the JSON type of a value, as {@code encoding/json} errors print it.
     *
     * @param node a value
     * @return {@code string}, {@code number}, {@code bool}, {@code array}, {@code object} or {@code null}
     */
    public static String jsonTypeName(JsonNode node) {
        if (node == null || node.isNull()) {
            return "null";
        }
        if (node.isNumber()) {
            return "number";
        }
        if (node.isBoolean()) {
            return "bool";
        }
        if (node.isTextual()) {
            return "string";
        }
        if (node.isArray()) {
            return "array";
        }
        return "object";
    }

    /**
     * The UTF-8 text of bytes, for error messages.
     *
     * @param bytes bytes
     * @return the text
     */
    public static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
