package dev.jcni.sdk.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.jcni.sdk.types.Dns;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.IpPrefix;
import dev.jcni.sdk.types.MacAddress;
import dev.jcni.sdk.types.Route;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.function.Function;

/**
 * Lets plugin authors use jcni's value types (and {@link InetAddress}, parsed strictly without DNS)
 * as fields of their own configuration records bound with {@code Request.config(Class)}.
 */
final class ValueTypesModule {
    private ValueTypesModule() {
    }

    static SimpleModule create() {
        SimpleModule m = new SimpleModule("jcni-value-types");
        textual(m, InetAddress.class, Ip::parse, Ip::format);
        textual(m, Inet4Address.class, s -> (Inet4Address) Ip.parse(s), Ip::format);
        textual(m, Inet6Address.class, s -> (Inet6Address) Ip.parse(s), Ip::format);
        textual(m, IpPrefix.class, IpPrefix::parse, IpPrefix::toString);
        textual(m, MacAddress.class, MacAddress::parse, MacAddress::toString);
        m.addDeserializer(Route.class, new TreeDeserializer<>(n -> ResultCodec.decodeRoute(n, "route")));
        m.addSerializer(Route.class, new TreeSerializer<>(ResultCodec::encodeRoute));
        m.addDeserializer(Dns.class, new TreeDeserializer<>(n -> {
            com.fasterxml.jackson.databind.node.ObjectNode wrap = Json.object();
            wrap.set("dns", n);
            return ResultCodec.decodeDns(wrap);
        }));
        m.addSerializer(Dns.class, new TreeSerializer<>(ResultCodec::encodeDns));
        return m;
    }

    private static <T> void textual(SimpleModule m, Class<T> type, Function<String, T> parse, Function<T, String> format) {
        m.addDeserializer(type, new JsonDeserializer<T>() {
            @Override
            public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                if (p.currentToken() != JsonToken.VALUE_STRING) {
                    return type.cast(ctxt.handleUnexpectedToken(type, p));
                }
                String s = p.getText();
                try {
                    return parse.apply(s);
                } catch (IllegalArgumentException e) {
                    return type.cast(ctxt.handleWeirdStringValue(type, s, e.getMessage()));
                }
            }
        });
        m.addSerializer(type, new JsonSerializer<T>() {
            @Override
            public void serialize(T value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
                gen.writeString(format.apply(value));
            }
        });
    }

    private static final class TreeDeserializer<T> extends JsonDeserializer<T> {
        private final Function<JsonNode, T> decode;

        TreeDeserializer(Function<JsonNode, T> decode) {
            this.decode = decode;
        }

        @Override
        public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonNode n = p.readValueAsTree();
            try {
                return decode.apply(n);
            } catch (Decode.DecodeException e) {
                throw com.fasterxml.jackson.databind.exc.InvalidFormatException.from(p, e.getMessage(), n, Object.class);
            }
        }
    }

    private static final class TreeSerializer<T> extends JsonSerializer<T> {
        private final Function<T, JsonNode> encode;

        TreeSerializer(Function<T, JsonNode> encode) {
            this.encode = encode;
        }

        @Override
        public void serialize(T value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            gen.writeTree(encode.apply(value));
        }
    }
}
