package dev.jcni.sdk.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jcni.sdk.types.Dns;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.IpConfig;
import dev.jcni.sdk.types.IpPrefix;
import dev.jcni.sdk.types.MacAddress;
import dev.jcni.sdk.types.PortMapping;
import dev.jcni.sdk.types.Result;
import dev.jcni.sdk.types.Route;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * JSON to Java records the way Go's {@code encoding/json} fills structs, and records back to JSON.
 * The one implementation of Go-compatible reading in jcni: {@code NetConf.bind} (the plugin author's
 * records) and the reference plugins' configurations use it. No ObjectMapper, no bean introspection:
 * a streaming parse over the bytes, records built through their canonical constructor.
 *
 * <p>The rules, each Go's:
 * <ul>
 * <li>The keys of an object are taken in document order. A key names a record component when it
 *     equals the component's JSON name, or else equals it ignoring case; unknown keys are skipped.
 *     A later key that names the same component decodes over the earlier value (a scalar is
 *     replaced; a record, map or list element is decoded into, as Go decodes into the existing
 *     value).</li>
 * <li>JSON {@code null} empties an {@link Optional} (Go: a pointer), a {@link List} (slice) or a
 *     {@link Map} (map), and leaves every other type as it was (its zero value or the default).</li>
 * <li>A value of the wrong JSON type is an error ({@link TypeError}, Go's {@code UnmarshalTypeError}):
 *     {@code 1.5} or {@code 1e3} into an {@code int}, a number beyond the Java type's range, {@code 5}
 *     into a {@code String}, a string into a {@code boolean}. As Go, decoding goes on after it, and
 *     the first such error is the one reported; an invalid text for a value type
 *     ({@link InetAddress}, {@link IpPrefix}, {@link MacAddress}, an enum) stops at once
 *     ({@link ValueError}, Go: an {@code UnmarshalText} error).</li>
 * </ul>
 *
 * <p>Zero values (what an absent key gives): {@code ""}, {@code false}, {@code 0}, empty
 * {@code Optional}s, lists and maps, a record of zero values; {@code Object} (any JSON, as plain
 * values, see {@link JsonValues}) is the empty {@code Optional} (JSON null). {@link InetAddress},
 * {@link IpPrefix}, {@link MacAddress} and enums have no zero value, nor does a record with such a
 * component: where Go would leave a zero value, jcni reports the value as missing
 * ({@link ValueError}, after any type error). Use {@code Optional<T>} for what may be absent.
 */
public final class GoJson {
    private GoJson() {
    }

    /** What no value is: absent and without a zero value, or not built because an error is pending. */
    private static final Object NONE = new Object() {
        @Override
        public String toString() {
            return "<none>";
        }
    };

    /** A place in the document: a component, an array index or a map key under a parent. */
    private record Where(Where parent, String name, int index) {
        static final Where ROOT = new Where(null, "", -1);

        Where field(String n) {
            return new Where(this, n, -1);
        }

        Where element(int i) {
            return new Where(this, null, i);
        }

        /** @return e.g. {@code ipam.ranges[0].subnet} */
        String path() {
            return render(true);
        }

        /** @return Go's {@code UnmarshalTypeError.Field}: the names without indices, e.g. {@code ipam.ranges.subnet} */
        String fieldPath() {
            return render(false);
        }

        private String render(boolean indices) {
            if (parent == null) {
                return "";
            }
            String p = parent.render(indices);
            if (name == null) {
                return indices ? p + "[" + index + "]" : p;
            }
            return p.isEmpty() ? name : p + "." + name;
        }

        /** @return the path followed by ": ", or "" at the top level */
        String prefix() {
            return parent == null ? "" : path() + ": ";
        }
    }

    /** A decoding failure; {@link #getMessage()} names the path. */
    public abstract static sealed class BindError extends RuntimeException permits TypeError, ValueError {
        private static final long serialVersionUID = 1L;
        private final String path;
        private final String fieldPath;

        BindError(String message, Where where) {
            super(message);
            this.path = where.path();
            this.fieldPath = where.fieldPath();
        }

        /** @return where, with indices: {@code ipam.ranges[0].subnet}; "" for the top level */
        public String path() {
            return path;
        }

        /** @return where, as Go's {@code UnmarshalTypeError.Field} (no indices): {@code ipam.ranges.subnet} */
        public String fieldPath() {
            return fieldPath;
        }
    }

    /** A JSON value of the wrong type for its place (Go's {@code UnmarshalTypeError}). */
    public static final class TypeError extends BindError {
        private static final long serialVersionUID = 1L;
        private final String value;
        private final transient Type target;

        TypeError(String value, Type target, Where where) {
            super("cannot unmarshal " + value + " into " + (where.parent == null ? "value" : where.path())
                    + " of type " + jsonTypeName(target), where);
            this.value = value;
            this.target = target;
        }

        /** @return Go's description of the JSON value: {@code string}, {@code number}, {@code number 1.5}, {@code bool}, {@code array}, {@code object} */
        public String value() {
            return value;
        }

        /** @return the Java type it could not go into */
        public Type target() {
            return target;
        }
    }

    /** A value of the right JSON type that is not valid for its Java type, or a missing value without zero. */
    public static final class ValueError extends BindError {
        private static final long serialVersionUID = 1L;

        ValueError(String message, Where where) {
            super(message, where);
        }
    }

    // ---------------------------------------------------------------- decoding

    /**
     * Binds a JSON document.
     *
     * @param json UTF-8 JSON (well-formed; a syntax error is an {@link UncheckedIOException})
     * @param type the record (or any supported type)
     * @param <T> the type
     * @return the value
     * @throws BindError when it does not bind
     * @throws IllegalArgumentException when the type (or a component's) is not supported
     */
    public static <T> T bind(byte[] json, Class<T> type) {
        return type.cast(bind(json, type, NONE));
    }

    /**
     * Binds a JSON document over defaults, as Go unmarshals into a struct filled beforehand: what
     * the document does not set (or sets to null) keeps the default's value.
     *
     * @param json UTF-8 JSON
     * @param type the record class
     * @param defaults the starting value
     * @param <T> the type
     * @return the value
     * @throws BindError when it does not bind
     */
    public static <T> T bind(byte[] json, Class<T> type, T defaults) {
        return type.cast(bind(json, type, (Object) defaults));
    }

    private static Object bind(byte[] json, Type type, Object prior) {
        try (JsonParser p = Json.parser(json)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new UncheckedIOException(new Json.EmptyInput());
            }
            Decoder d = new Decoder();
            Object v = d.value(p, type, prior == NONE ? zero(type) : prior, Where.ROOT);
            d.finish();
            if (v == NONE) {
                throw new ValueError("missing value of type " + simpleName(type), Where.ROOT);
            }
            return v;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One decoding run: the first type error and the first missing value, reported at the end. */
    private static final class Decoder {
        TypeError typeError;
        ValueError missing;

        boolean failed() {
            return typeError != null || missing != null;
        }

        void finish() {
            if (typeError != null) {
                throw typeError;
            }
            if (missing != null) {
                throw missing;
            }
        }

        /** Go's {@code saveError}: keep the first, skip the value, go on. */
        Object mismatch(JsonParser p, JsonToken t, Type type, Object prior, Where where) throws IOException {
            if (typeError == null) {
                typeError = new TypeError(describe(p, t, type), type, where);
            }
            p.skipChildren();
            return prior;
        }

        Object missing(Type type, Where where) {
            if (missing == null) {
                missing = new ValueError("missing " + (where.parent == null ? "value" : where.path())
                        + " (of type " + simpleName(type) + ", which has no zero value)", where);
            }
            return NONE;
        }

        Object value(JsonParser p, Type type, Object prior, Where where) throws IOException {
            JsonToken t = p.currentToken();
            Class<?> raw = raw(type);
            if (t == JsonToken.VALUE_NULL) {
                return ofNull(raw, prior);
            }
            if (raw == Optional.class) {
                Type e = arg(type, 0);
                Object inner = prior instanceof Optional<?> o && o.isPresent() ? o.get() : zero(e);
                Object v = value(p, e, inner, where);
                return v == NONE ? NONE : Optional.of(v);
            }
            if (raw == OptionalInt.class) {
                Object v = value(p, int.class, 0, where);
                return v instanceof Integer i ? OptionalInt.of(i) : prior;
            }
            if (raw == OptionalLong.class) {
                Object v = value(p, long.class, 0L, where);
                return v instanceof Long l ? OptionalLong.of(l) : prior;
            }
            if (raw == OptionalDouble.class) {
                Object v = value(p, double.class, 0.0, where);
                return v instanceof Double x ? OptionalDouble.of(x) : prior;
            }
            if (raw == Object.class) {
                return JsonValues.toPlain(Json.readValue(p, t));
            }
            if (raw == String.class) {
                return t == JsonToken.VALUE_STRING ? p.getText() : mismatch(p, t, type, prior, where);
            }
            if (raw == boolean.class || raw == Boolean.class) {
                if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
                    return t == JsonToken.VALUE_TRUE;
                }
                return mismatch(p, t, type, prior, where);
            }
            if (raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class) {
                return integer(p, t, type, raw, prior, where);
            }
            if (raw == double.class || raw == Double.class || raw == float.class || raw == Float.class) {
                if (!t.isNumeric()) {
                    return mismatch(p, t, type, prior, where);
                }
                double d = p.getValueAsDouble();
                boolean small = raw == float.class || raw == Float.class;
                if (Double.isInfinite(d) || (small && Float.isInfinite((float) d))) {
                    return mismatch(p, t, type, prior, where);
                }
                return small ? (Object) (float) d : (Object) d;
            }
            if (raw == BigDecimal.class) {
                return t.isNumeric() ? p.getDecimalValue() : mismatch(p, t, type, prior, where);
            }
            if (TEXT.contains(raw) || raw.isEnum()) {
                if (t != JsonToken.VALUE_STRING) {
                    return mismatch(p, t, type, prior, where);
                }
                String s = p.getText();
                if (raw.isEnum()) {
                    return enumConstant(raw, s, where);
                }
                try {
                    return parseText(raw, s);
                } catch (IllegalArgumentException e) {
                    throw new ValueError(where.prefix() + e.getMessage(), where);
                }
            }
            if (raw == List.class) {
                return t == JsonToken.START_ARRAY ? list(p, arg(type, 0), prior, where) : mismatch(p, t, type, prior, where);
            }
            if (raw == Map.class) {
                if (arg(type, 0) != String.class) {
                    throw new IllegalArgumentException("only maps with String keys bind from JSON: " + type);
                }
                return t == JsonToken.START_OBJECT ? map(p, arg(type, 1), prior, where) : mismatch(p, t, type, prior, where);
            }
            if (raw.isRecord()) {
                return t == JsonToken.START_OBJECT ? record(p, RecordShape.of(raw), prior, where)
                        : mismatch(p, t, type, prior, where);
            }
            throw new IllegalArgumentException("no JSON binding for " + type.getTypeName() + " (at " + where.path() + ")");
        }

        private Object integer(JsonParser p, JsonToken t, Type type, Class<?> raw, Object prior, Where where) throws IOException {
            if (!t.isNumeric()) {
                return mismatch(p, t, type, prior, where);
            }
            if (t != JsonToken.VALUE_NUMBER_INT) {
                return mismatch(p, t, type, prior, where); // Go parses the literal as an integer: 1.0 and 1e3 fail
            }
            boolean small = raw == int.class || raw == Integer.class;
            JsonParser.NumberType nt = p.getNumberType();
            if (nt == JsonParser.NumberType.INT) {
                int i = p.getIntValue();
                return small ? (Object) i : (Object) (long) i;
            }
            if (nt == JsonParser.NumberType.LONG && !small) {
                return p.getLongValue();
            }
            return mismatch(p, t, type, prior, where);
        }

        private Object list(JsonParser p, Type element, Object prior, Where where) throws IOException {
            List<?> old = prior instanceof List<?> l ? l : List.of();
            List<Object> out = new ArrayList<>();
            boolean none = false;
            for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                int i = out.size();
                // Go decodes into the element already at this index, if any
                Object start = i < old.size() ? old.get(i) : zero(element);
                Object v = value(p, element, start, where.element(i));
                if (v == NONE) {
                    v = missing(element, where.element(i));
                    none = true;
                }
                out.add(v);
            }
            return none || failed() ? NONE : Collections.unmodifiableList(out);
        }

        private Object map(JsonParser p, Type element, Object prior, Where where) throws IOException {
            Map<String, Object> out = new LinkedHashMap<>();
            if (prior instanceof Map<?, ?> m) {
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    out.put((String) e.getKey(), e.getValue());
                }
            }
            boolean none = false;
            for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
                String key = p.currentName();
                p.nextToken();
                // Go decodes each map value into a fresh zero value
                Object v = value(p, element, zero(element), where.field(key));
                if (v == NONE) {
                    v = missing(element, where.field(key));
                    none = true;
                }
                out.put(key, v);
            }
            return none || failed() ? NONE : Collections.unmodifiableMap(out);
        }

        private Object record(JsonParser p, RecordShape shape, Object prior, Where where) throws IOException {
            Object[] values = shape.components(prior);
            for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
                String key = p.currentName();
                p.nextToken();
                int i = shape.indexOf(key);
                if (i < 0) {
                    p.skipChildren();
                    continue;
                }
                values[i] = value(p, shape.types[i], values[i], where.field(shape.names[i]));
            }
            return construct(shape, values, where);
        }

        private Object construct(RecordShape shape, Object[] values, Where where) {
            boolean none = false;
            for (int i = 0; i < values.length; i++) {
                if (values[i] == NONE) {
                    missing(shape.types[i], where.field(shape.names[i]));
                    none = true;
                }
            }
            if (none || failed()) {
                return NONE;
            }
            return shape.construct(values, where);
        }
    }

    /** What JSON null makes of Go's pointers, slices, maps and interfaces (nil); other types keep their value. */
    private static final Map<Class<?>, Object> NIL = Map.of(Optional.class, Optional.empty(), OptionalInt.class, OptionalInt.empty(),
            OptionalLong.class, OptionalLong.empty(), OptionalDouble.class, OptionalDouble.empty(), List.class, List.of(),
            Map.class, Map.of(), Object.class, Optional.empty());

    /** The zero values of the scalar types (the nil ones are in {@link #NIL}). */
    private static final Map<Class<?>, Object> ZERO = Map.ofEntries(Map.entry(String.class, ""),
            Map.entry(boolean.class, false), Map.entry(Boolean.class, false), Map.entry(int.class, 0), Map.entry(Integer.class, 0),
            Map.entry(long.class, 0L), Map.entry(Long.class, 0L), Map.entry(double.class, 0.0), Map.entry(Double.class, 0.0),
            Map.entry(float.class, 0.0f), Map.entry(Float.class, 0.0f), Map.entry(BigDecimal.class, BigDecimal.ZERO));

    /** JSON null: Go sets pointers, slices and maps to nil and leaves everything else alone. */
    private static Object ofNull(Class<?> raw, Object prior) {
        return NIL.getOrDefault(raw, prior);
    }

    private static Object enumConstant(Class<?> raw, String s, Where where) {
        Object[] constants = raw.getEnumConstants();
        for (Object c : constants) {
            if (((Enum<?>) c).name().equals(s) || c.toString().equals(s)) {
                return c;
            }
        }
        for (Object c : constants) {
            if (((Enum<?>) c).name().equalsIgnoreCase(s) || c.toString().equalsIgnoreCase(s)) {
                return c;
            }
        }
        List<String> names = new ArrayList<>();
        for (Object c : constants) {
            names.add(c.toString());
        }
        throw new ValueError(where.prefix() + "invalid value \"" + s + "\" (one of "
                + String.join(", ", names) + ")", where);
    }

    /** Go's {@code UnmarshalTypeError.Value} for a JSON value that does not fit. */
    private static String describe(JsonParser p, JsonToken t, Type target) throws IOException {
        switch (t) {
            case VALUE_STRING:
                return "string";
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "bool";
            case START_ARRAY:
                return "array";
            case START_OBJECT:
                return "object";
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                Class<?> raw = raw(target);
                boolean numeric = raw.isPrimitive() && raw != boolean.class || Number.class.isAssignableFrom(raw)
                        || raw == OptionalInt.class || raw == OptionalLong.class || raw == OptionalDouble.class;
                return numeric ? "number " + p.getText() : "number";
            default:
                return t.asString() == null ? t.name() : t.asString();
        }
    }

    /**
     * The value types that bind from a JSON string ({@link #parseText}). A set and a plain method, no
     * lambdas: linking one costs a cold plugin's start-up about half a millisecond.
     */
    private static final java.util.Set<Class<?>> TEXT = java.util.Set.of(InetAddress.class, java.net.Inet4Address.class,
            java.net.Inet6Address.class, IpPrefix.class, MacAddress.class);

    /** Parses the text of one of the {@link #TEXT} types. */
    private static Object parseText(Class<?> type, String s) {
        if (type == IpPrefix.class) {
            return IpPrefix.parse(s);
        }
        if (type == MacAddress.class) {
            return MacAddress.parse(s);
        }
        InetAddress a = Ip.parse(s);
        return type == InetAddress.class ? a : cast(type, a, s);
    }

    private static <T> T cast(Class<T> type, InetAddress a, String text) {
        if (!type.isInstance(a)) {
            throw new IllegalArgumentException("invalid " + (type == java.net.Inet4Address.class ? "IPv4" : "IPv6")
                    + " address: " + text);
        }
        return type.cast(a);
    }

    /**
     * The zero value of a type, Go's: what an absent key leaves.
     *
     * @return the value, or {@link #NONE} when the type has none
     */
    private static Object zero(Type type) {
        Class<?> raw = raw(type);
        Object z = ZERO.getOrDefault(raw, NIL.get(raw));
        if (z != null) {
            return z;
        }
        return raw.isRecord() && !TEXT.contains(raw) ? RecordShape.of(raw).zero() : NONE;
    }

    private static Class<?> raw(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType pt) {
            return (Class<?>) pt.getRawType();
        }
        if (type instanceof WildcardType w) {
            return raw(w.getUpperBounds()[0]);
        }
        if (type instanceof GenericArrayType) {
            throw new IllegalArgumentException("no JSON binding for arrays (use List): " + type);
        }
        throw new IllegalArgumentException("no JSON binding for " + type.getTypeName());
    }

    private static Type arg(Type type, int i) {
        if (type instanceof ParameterizedType pt) {
            Type a = pt.getActualTypeArguments()[i];
            return a instanceof WildcardType w ? w.getUpperBounds()[0] : a;
        }
        throw new IllegalArgumentException("raw " + type.getTypeName() + ": give its type arguments");
    }

    private static String simpleName(Type type) {
        if (type instanceof Class<?> c) {
            return c.getSimpleName();
        }
        return type.getTypeName().replaceAll("[\\w$]+\\.", "");
    }

    /**
     * The JSON type a Java type takes, for messages: {@code string}, {@code bool}, {@code int},
     * {@code int64}, {@code float64}, {@code number}, {@code array}, {@code object}.
     *
     * @param type the Java type
     * @return the name
     */
    public static String jsonTypeName(Type type) {
        Class<?> raw = raw(type);
        if (raw == Optional.class) {
            return jsonTypeName(arg(type, 0));
        }
        if (raw.isEnum() || TEXT.contains(raw)) {
            return "string";
        }
        return JSON_NAMES.getOrDefault(raw, "object");
    }

    /** The JSON type names of the Java types that are not objects. */
    private static final Map<Class<?>, String> JSON_NAMES = Map.ofEntries(Map.entry(String.class, "string"),
            Map.entry(boolean.class, "bool"), Map.entry(Boolean.class, "bool"), Map.entry(int.class, "int"),
            Map.entry(Integer.class, "int"), Map.entry(OptionalInt.class, "int"), Map.entry(long.class, "int64"),
            Map.entry(Long.class, "int64"), Map.entry(OptionalLong.class, "int64"), Map.entry(float.class, "float32"),
            Map.entry(Float.class, "float32"), Map.entry(double.class, "float64"), Map.entry(Double.class, "float64"),
            Map.entry(OptionalDouble.class, "float64"), Map.entry(BigDecimal.class, "number"), Map.entry(List.class, "array"));

    /** What jcni needs of a record class: components, their JSON names and types, the canonical constructor. */
    private static final class RecordShape {
        private static final ClassValue<RecordShape> CACHE = new ClassValue<>() {
            @Override
            protected RecordShape computeValue(Class<?> type) {
                return new RecordShape(type);
            }
        };

        /** JSON names of jcni's own records that differ from the component names. */
        private static final Map<Class<?>, Map<String, String>> RENAMED = Map.of(
                PortMapping.class, Map.of("hostIp", "hostIP"),
                IpConfig.class, Map.of("interfaceIndex", "interface"));

        final Class<?> type;
        final String[] names;
        final Type[] types;
        final Method[] accessors;
        final Constructor<?> constructor;

        static RecordShape of(Class<?> type) {
            return CACHE.get(type);
        }

        private RecordShape(Class<?> type) {
            this.type = type;
            RecordComponent[] rc = type.getRecordComponents();
            names = new String[rc.length];
            types = new Type[rc.length];
            accessors = new Method[rc.length];
            Class<?>[] raws = new Class<?>[rc.length];
            Map<String, String> renamed = RENAMED.getOrDefault(type, Map.of());
            for (int i = 0; i < rc.length; i++) {
                names[i] = renamed.getOrDefault(rc[i].getName(), rc[i].getName());
                types[i] = rc[i].getGenericType();
                accessors[i] = rc[i].getAccessor();
                raws[i] = rc[i].getType();
            }
            try {
                constructor = type.getDeclaredConstructor(raws);
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException("record " + type.getName() + " has no canonical constructor", e);
            }
            try {
                constructor.setAccessible(true);
                for (Method m : accessors) {
                    m.setAccessible(true);
                }
            } catch (RuntimeException e) {
                // a public record of an exported package needs no access check; anything else reports below
            }
        }

        /** Go's field lookup: an exact match, else the first component that matches ignoring case. */
        int indexOf(String key) {
            for (int i = 0; i < names.length; i++) {
                if (names[i].equals(key)) {
                    return i;
                }
            }
            for (int i = 0; i < names.length; i++) {
                if (names[i].equalsIgnoreCase(key)) {
                    return i;
                }
            }
            return -1;
        }

        /** @return the components of a value to decode into (a record, or the zeros) */
        Object[] components(Object prior) {
            Object[] out = new Object[names.length];
            if (type.isInstance(prior)) {
                for (int i = 0; i < out.length; i++) {
                    try {
                        out[i] = accessors[i].invoke(prior);
                    } catch (IllegalAccessException | InvocationTargetException e) {
                        throw new IllegalArgumentException("cannot read " + type.getName() + "." + names[i] + ": " + e, e);
                    }
                }
                return out;
            }
            for (int i = 0; i < out.length; i++) {
                out[i] = GoJson.zero(types[i]);
            }
            return out;
        }

        /** @return the record of zero values, or {@link #NONE} when a component has no zero value */
        Object zero() {
            Object[] values = components(NONE);
            for (Object v : values) {
                if (v == NONE) {
                    return NONE;
                }
            }
            try {
                return constructor.newInstance(values);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return NONE; // the record refuses its zero values: treat it as having none
            }
        }

        Object construct(Object[] values, Where where) {
            try {
                return constructor.newInstance(values);
            } catch (InvocationTargetException e) {
                Throwable c = e.getCause();
                String why = c.getMessage() == null ? c.toString() : c.getMessage();
                throw new ValueError(where.prefix() + why, where);
            } catch (IllegalAccessException e) {
                throw new IllegalArgumentException("jcni cannot call the constructor of " + type.getName()
                        + ": make the record public, or open its package to module dev.jcni.sdk", e);
            } catch (InstantiationException e) {
                throw new IllegalArgumentException(e);
            }
        }
    }

    // ---------------------------------------------------------------- encoding

    /**
     * Java values to JSON: plain values (see {@link JsonValues}), records (their components by JSON
     * name, an empty {@code Optional} left out), jcni's value types as their text, enums by name.
     * A result, route or DNS value is written as in results.
     *
     * @param value the value; null or an empty {@code Optional} is JSON null
     * @return a new tree
     * @throws IllegalArgumentException for a type with no JSON form
     */
    public static JsonNode encode(Object value) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (value == null) {
            return f.nullNode();
        }
        if (value instanceof JsonNode n) {
            return n.deepCopy();
        }
        if (value instanceof String s) {
            return f.textNode(s);
        }
        if (value instanceof Boolean b) {
            return f.booleanNode(b);
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return f.numberNode(((Number) value).longValue());
        }
        if (value instanceof BigInteger bi) {
            return f.numberNode(bi);
        }
        if (value instanceof BigDecimal bd) {
            return f.numberNode(bd);
        }
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new IllegalArgumentException("JSON has no " + d);
            }
            return f.numberNode(d);
        }
        if (value instanceof Optional<?> o) {
            return o.isPresent() ? encode(o.get()) : f.nullNode();
        }
        if (value instanceof OptionalInt o) {
            return o.isPresent() ? f.numberNode(o.getAsInt()) : f.nullNode();
        }
        if (value instanceof OptionalLong o) {
            return o.isPresent() ? f.numberNode(o.getAsLong()) : f.nullNode();
        }
        if (value instanceof OptionalDouble o) {
            return o.isPresent() ? encode(o.getAsDouble()) : f.nullNode();
        }
        if (value instanceof Map<?, ?> m) {
            ObjectNode o = f.objectNode();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                o.set(String.valueOf(e.getKey()), encode(e.getValue()));
            }
            return o;
        }
        if (value instanceof Iterable<?> it) {
            ArrayNode a = f.arrayNode();
            for (Object v : it) {
                a.add(encode(v));
            }
            return a;
        }
        if (value instanceof Enum<?> e) {
            return f.textNode(e.name());
        }
        if (value instanceof InetAddress a) {
            return f.textNode(Ip.format(a));
        }
        if (value instanceof IpPrefix || value instanceof MacAddress) {
            return f.textNode(value.toString());
        }
        if (value instanceof Result r) {
            return ResultCodec.encode(r);
        }
        if (value instanceof Route r) {
            return ResultCodec.encodeRoute(r);
        }
        if (value instanceof Dns d) {
            return ResultCodec.encodeDns(d);
        }
        if (value instanceof Record r) {
            RecordShape shape = RecordShape.of(r.getClass());
            ObjectNode o = f.objectNode();
            Object[] values = shape.components(r);
            for (int i = 0; i < values.length; i++) {
                Object v = values[i];
                boolean empty = v instanceof Optional<?> x && x.isEmpty() || v instanceof OptionalInt x2 && x2.isEmpty()
                        || v instanceof OptionalLong x3 && x3.isEmpty() || v instanceof OptionalDouble x4 && x4.isEmpty();
                if (!empty) {
                    o.set(shape.names[i], encode(v));
                }
            }
            return o;
        }
        throw new IllegalArgumentException("no JSON form for " + value.getClass().getName());
    }
}
