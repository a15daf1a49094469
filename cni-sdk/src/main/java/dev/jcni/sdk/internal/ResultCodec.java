package dev.jcni.sdk.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jcni.sdk.internal.Decode.DecodeException;
import dev.jcni.sdk.types.Dns;
import dev.jcni.sdk.types.Interface;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.IpConfig;
import dev.jcni.sdk.types.IpPrefix;
import dev.jcni.sdk.types.Result;
import dev.jcni.sdk.types.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** Result JSON per version family, and conversion between versions (cni-spec.md §4). */
public final class ResultCodec {
    private ResultCodec() {
    }

    // ---------------------------------------------------------------- decode

    /**
     * Decodes a result in the shape of its own {@code cniVersion} ("" = 0.1.0 family).
     *
     * @param node the JSON object
     * @param version the version to read it as (usually the node's own {@code cniVersion})
     * @return the result, with {@code cniVersion} = {@code version}
     * @throws DecodeException on a shape or value error
     */
    public static Result decode(JsonNode node, String version) {
        if (!node.isObject()) {
            throw new DecodeException("cannot unmarshal " + Json.jsonTypeName(node) + " into a result of type object");
        }
        ResultFamily family = ResultFamily.of(version);
        return switch (family) {
            case V020 -> decode020(node, version);
            case V040, V100 -> decodeCurrent(node, version, family);
        };
    }

    private static Result decodeCurrent(JsonNode node, String version, ResultFamily family) {
        List<Interface> interfaces = new ArrayList<>();
        int i = 0;
        for (JsonNode n : Decode.array(node, "interfaces", "interfaces")) {
            String p = "interfaces[" + i++ + "]";
            requireObject(n, p);
            interfaces.add(new Interface(Decode.string(n, "name", p + ".name"), Decode.string(n, "mac", p + ".mac"),
                    family == ResultFamily.V100 ? Decode.integer(n, "mtu", p + ".mtu") : 0,
                    Decode.string(n, "sandbox", p + ".sandbox"),
                    family == ResultFamily.V100 ? Decode.string(n, "socketPath", p + ".socketPath") : "",
                    family == ResultFamily.V100 ? Decode.string(n, "pciID", p + ".pciID") : ""));
        }
        List<IpConfig> ips = new ArrayList<>();
        i = 0;
        for (JsonNode n : Decode.array(node, "ips", "ips")) {
            String p = "ips[" + i++ + "]";
            requireObject(n, p);
            IpPrefix address = required(Decode.prefix(n, "address", p + ".address"), p + ": missing address");
            ips.add(new IpConfig(Decode.optionalInt(n, "interface", p + ".interface"), address,
                    gateway(n, p, address)));
        }
        List<Route> routes = decodeRoutes(node, "routes");
        Dns dns = decodeDns(node);
        return new Result(version, interfaces, ips, routes, dns);
    }

    private static Optional<java.net.InetAddress> gateway(JsonNode n, String p, IpPrefix address) {
        Optional<java.net.InetAddress> gw = Decode.ip(n, "gateway", p + ".gateway");
        if (gw.isPresent() && Ip.isIpv4(gw.get()) != address.isIpv4()) {
            throw new DecodeException(p + ": gateway " + Ip.format(gw.get()) + " is not of the family of " + address);
        }
        return gw;
    }

    private static Result decode020(JsonNode node, String version) {
        List<IpConfig> ips = new ArrayList<>();
        List<Route> routes = new ArrayList<>();
        for (String key : new String[] {"ip4", "ip6"}) {
            Optional<JsonNode> o = Decode.object(node, key, key);
            if (o.isEmpty()) {
                continue;
            }
            JsonNode n = o.get();
            IpPrefix address = required(Decode.prefix(n, "ip", key + ".ip"), key + ": missing ip");
            ips.add(new IpConfig(OptionalInt.empty(), address, gateway(n, key, address)));
            routes.addAll(decodeRoutes(n, key + ".routes"));
        }
        return new Result(version, List.of(), ips, routes, decodeDns(node));
    }

    /** The value, or a decode error with the message (no lambda: a cold start links each one). */
    private static IpPrefix required(Optional<IpPrefix> value, String missing) {
        if (value.isEmpty()) {
            throw new DecodeException(missing);
        }
        return value.get();
    }

    private static void requireObject(JsonNode n, String path) {
        if (!n.isObject()) {
            throw new DecodeException("cannot unmarshal " + Json.jsonTypeName(n) + " into " + path + " of type object");
        }
    }

    /**
     * Decodes a routes array ({@code dst}, {@code gw}, {@code mtu}, {@code advmss}, {@code priority},
     * {@code table}, {@code scope}).
     *
     * @param parent the object holding the array
     * @param path the key, also used in messages; a dotted path reads the last segment
     * @return the routes
     */
    public static List<Route> decodeRoutes(JsonNode parent, String path) {
        String key = path.substring(path.lastIndexOf('.') + 1);
        List<Route> routes = new ArrayList<>();
        int i = 0;
        for (JsonNode n : Decode.array(parent, key, path)) {
            routes.add(decodeRoute(n, path + "[" + i++ + "]"));
        }
        return routes;
    }

    /**
     * Decodes one route object.
     *
     * @param n the object
     * @param p the path for messages
     * @return the route
     */
    public static Route decodeRoute(JsonNode n, String p) {
        requireObject(n, p);
        IpPrefix dst = Decode.prefix(n, "dst", p + ".dst").orElseThrow(() -> new DecodeException(p + ": missing dst"));
        return new Route(dst, Decode.ip(n, "gw", p + ".gw"), Decode.integer(n, "mtu", p + ".mtu"),
                Decode.integer(n, "advmss", p + ".advmss"), Decode.integer(n, "priority", p + ".priority"),
                Decode.optionalInt(n, "table", p + ".table"), Decode.optionalInt(n, "scope", p + ".scope"));
    }

    /**
     * Decodes the {@code dns} key of an object (absent = empty).
     *
     * @param parent the object holding {@code dns}
     * @return the DNS settings
     */
    public static Dns decodeDns(JsonNode parent) {
        Optional<JsonNode> o = Decode.object(parent, "dns", "dns");
        if (o.isEmpty()) {
            return Dns.EMPTY;
        }
        JsonNode d = o.get();
        return new Dns(Decode.strings(d, "nameservers", "dns.nameservers"), Decode.string(d, "domain", "dns.domain"),
                Decode.strings(d, "search", "dns.search"), Decode.strings(d, "options", "dns.options"));
    }

    // ---------------------------------------------------------------- encode

    /**
     * Encodes a result in the shape of its {@code cniVersion}; what that shape cannot carry is
     * left out (see {@link #convert(Result, String)} for the exact losses).
     *
     * @param result the result
     * @return the JSON object
     */
    public static ObjectNode encode(Result result) {
        ResultFamily family = ResultFamily.of(result.cniVersion());
        Result r = project(result, family);
        ObjectNode o = Json.object();
        o.put("cniVersion", r.cniVersion());
        if (family == ResultFamily.V020) {
            for (IpConfig ip : r.ips()) {
                ObjectNode n = o.putObject(ip.isIpv4() ? "ip4" : "ip6");
                n.put("ip", ip.address().toString());
                if (ip.gateway().isPresent()) {
                    n.put("gateway", Ip.format(ip.gateway().get()));
                }
                ArrayNode routes = Json.array();
                for (Route route : r.routes()) {
                    if (route.dst().isIpv4() == ip.isIpv4()) {
                        routes.add(encodeRoute(route));
                    }
                }
                if (!routes.isEmpty()) {
                    n.set("routes", routes);
                }
            }
            o.set("dns", encodeDns(r.dns()));
            return o;
        }
        if (!r.interfaces().isEmpty()) {
            ArrayNode a = o.putArray("interfaces");
            for (Interface itf : r.interfaces()) {
                ObjectNode n = a.addObject();
                n.put("name", itf.name());
                putIfNotEmpty(n, "mac", itf.mac());
                if (itf.mtu() != 0) {
                    n.put("mtu", itf.mtu());
                }
                putIfNotEmpty(n, "sandbox", itf.sandbox());
                putIfNotEmpty(n, "socketPath", itf.socketPath());
                putIfNotEmpty(n, "pciID", itf.pciID());
            }
        }
        if (!r.ips().isEmpty()) {
            ArrayNode a = o.putArray("ips");
            for (IpConfig ip : r.ips()) {
                ObjectNode n = a.addObject();
                if (family == ResultFamily.V040) {
                    n.put("version", ip.isIpv4() ? "4" : "6");
                }
                if (ip.interfaceIndex().isPresent()) {
                    n.put("interface", ip.interfaceIndex().getAsInt());
                }
                n.put("address", ip.address().toString());
                if (ip.gateway().isPresent()) {
                    n.put("gateway", Ip.format(ip.gateway().get()));
                }
            }
        }
        if (!r.routes().isEmpty()) {
            ArrayNode a = o.putArray("routes");
            for (Route route : r.routes()) {
                a.add(encodeRoute(route));
            }
        }
        if (family == ResultFamily.V040 || !r.dns().isEmpty()) {
            o.set("dns", encodeDns(r.dns()));
        }
        return o;
    }

    private static void putIfNotEmpty(ObjectNode n, String key, String value) {
        if (!value.isEmpty()) {
            n.put(key, value);
        }
    }

    /**
     * Encodes one route (fields left out when not set).
     *
     * @param route the route
     * @return the JSON object
     */
    public static ObjectNode encodeRoute(Route route) {
        ObjectNode n = Json.object();
        n.put("dst", route.dst().toString());
        if (route.gw().isPresent()) {
            n.put("gw", Ip.format(route.gw().get()));
        }
        if (route.mtu() != 0) {
            n.put("mtu", route.mtu());
        }
        if (route.advmss() != 0) {
            n.put("advmss", route.advmss());
        }
        if (route.priority() != 0) {
            n.put("priority", route.priority());
        }
        if (route.table().isPresent()) {
            n.put("table", route.table().getAsInt());
        }
        if (route.scope().isPresent()) {
            n.put("scope", route.scope().getAsInt());
        }
        return n;
    }

    /**
     * Encodes DNS settings (empty fields left out).
     *
     * @param dns the settings
     * @return the JSON object
     */
    public static ObjectNode encodeDns(Dns dns) {
        ObjectNode n = Json.object();
        if (!dns.nameservers().isEmpty()) {
            dns.nameservers().forEach(n.putArray("nameservers")::add);
        }
        putIfNotEmpty(n, "domain", dns.domain());
        if (!dns.search().isEmpty()) {
            dns.search().forEach(n.putArray("search")::add);
        }
        if (!dns.options().isEmpty()) {
            dns.options().forEach(n.putArray("options")::add);
        }
        return n;
    }

    // ---------------------------------------------------------------- convert

    /**
     * Converts a result to another version, as Go's converters do:
     * within a family only {@code cniVersion} changes; towards 0.3.x/0.4.0 the interface
     * {@code mtu}, {@code socketPath} and {@code pciID} are lost; towards 0.1.0/0.2.0 only the first
     * IPv4 and first IPv6 address are kept (each with its gateway), interfaces and interface indexes
     * are lost, routes keep only {@code dst}/{@code gw} and are dropped when their family has no
     * address.
     *
     * @param result the result
     * @param target the target version ("" = 0.1.0)
     * @return the converted result
     * @throws ConversionException {@code cannot convert: no valid IP addresses} or an unknown version
     */
    public static Result convert(Result result, String target) {
        String to = target.isEmpty() ? "0.1.0" : target;
        ResultFamily toFamily;
        try {
            ResultFamily.of(result.cniVersion());
            toFamily = ResultFamily.of(to);
        } catch (DecodeException e) {
            throw new ConversionException("no converter for CNI result version " + result.cniVersion() + " to " + to);
        }
        if (toFamily == ResultFamily.V020) {
            boolean v4 = result.ips().stream().anyMatch(IpConfig::isIpv4);
            boolean v6 = result.ips().stream().anyMatch(ip -> !ip.isIpv4());
            if (!v4 && !v6) {
                throw new ConversionException("cannot convert: no valid IP addresses");
            }
        }
        return project(result, toFamily).withCniVersion(to);
    }

    /** Thrown when a result cannot be converted. */
    public static final class ConversionException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ConversionException(String message) {
            super(message);
        }
    }

    private static Result project(Result r, ResultFamily family) {
        return switch (family) {
            case V100 -> r;
            case V040 -> {
                List<Interface> itfs = new ArrayList<>();
                for (Interface i : r.interfaces()) {
                    itfs.add(new Interface(i.name(), i.mac(), 0, i.sandbox(), "", ""));
                }
                yield new Result(r.cniVersion(), itfs, r.ips(), r.routes(), r.dns());
            }
            case V020 -> {
                IpConfig first4 = null;
                IpConfig first6 = null;
                for (IpConfig ip : r.ips()) {
                    if (ip.isIpv4() && first4 == null) {
                        first4 = new IpConfig(OptionalInt.empty(), ip.address(), ip.gateway());
                    } else if (!ip.isIpv4() && first6 == null) {
                        first6 = new IpConfig(OptionalInt.empty(), ip.address(), ip.gateway());
                    }
                }
                List<IpConfig> ips = new ArrayList<>();
                List<Route> routes = new ArrayList<>();
                if (first4 != null) {
                    ips.add(first4);
                    r.routes().stream().filter(x -> x.dst().isIpv4()).map(Route::dstAndGwOnly).forEach(routes::add);
                }
                if (first6 != null) {
                    ips.add(first6);
                    r.routes().stream().filter(x -> !x.dst().isIpv4()).map(Route::dstAndGwOnly).forEach(routes::add);
                }
                yield new Result(r.cniVersion(), List.of(), ips, routes, r.dns());
            }
        };
    }
}
