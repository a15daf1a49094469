package dev.jcni.sdk.types;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.jcni.sdk.internal.Decode;
import dev.jcni.sdk.internal.Json;
import dev.jcni.sdk.internal.ResultCodec;
import dev.jcni.sdk.version.SpecVersions;
import java.util.List;
import java.util.Objects;

/**
 * The result of an ADD: the interfaces, addresses, routes and DNS settings a plugin configured.
 *
 * <p>One model serves every spec version: it is the 1.1.0 model, and {@link #cniVersion()} says
 * which JSON shape {@link #toJson()} writes. {@link #convertTo(String)} converts between versions
 * with exactly the losses of the Go library (cni-spec.md §4). Plugin code builds results with
 * {@link #empty()} and the {@code with...} methods; the skel converts them to the configuration's
 * version before printing.
 *
 * @param cniVersion the spec version of this result ("" means 0.1.0)
 * @param interfaces the interfaces (empty in 0.1.0/0.2.0 results)
 * @param ips the addresses; {@link IpConfig#interfaceIndex()} indexes {@code interfaces}
 * @param routes the routes
 * @param dns the DNS settings
 */
public record Result(String cniVersion, List<Interface> interfaces, List<IpConfig> ips, List<Route> routes, Dns dns) {

    /** Copies the lists. */
    public Result {
        Objects.requireNonNull(cniVersion, "cniVersion");
        interfaces = List.copyOf(interfaces);
        ips = List.copyOf(ips);
        routes = List.copyOf(routes);
        Objects.requireNonNull(dns, "dns");
    }

    /** @return an empty result of the current version ({@value SpecVersions#CURRENT}) */
    public static Result empty() {
        return new Result(SpecVersions.CURRENT, List.of(), List.of(), List.of(), Dns.EMPTY);
    }

    /**
     * @param version the version
     * @return a copy stating another version (no conversion: see {@link #convertTo(String)})
     */
    public Result withCniVersion(String version) {
        return new Result(version, interfaces, ips, routes, dns);
    }

    /**
     * @param newInterfaces the interfaces
     * @return a copy with other interfaces
     */
    public Result withInterfaces(List<Interface> newInterfaces) {
        return new Result(cniVersion, newInterfaces, ips, routes, dns);
    }

    /**
     * @param newIps the addresses
     * @return a copy with other addresses
     */
    public Result withIps(List<IpConfig> newIps) {
        return new Result(cniVersion, interfaces, newIps, routes, dns);
    }

    /**
     * @param newRoutes the routes
     * @return a copy with other routes
     */
    public Result withRoutes(List<Route> newRoutes) {
        return new Result(cniVersion, interfaces, ips, newRoutes, dns);
    }

    /**
     * @param newDns the DNS settings
     * @return a copy with other DNS settings
     */
    public Result withDns(Dns newDns) {
        return new Result(cniVersion, interfaces, ips, routes, newDns);
    }

    /**
     * Converts this result to another spec version, as Go's converters do.
     *
     * @param version the target version ("" = 0.1.0)
     * @return the converted result
     * @throws CniException code 999 {@code cannot convert: no valid IP addresses} when converting to
     *     0.1.0/0.2.0 without addresses; code 1 for an unknown version
     */
    public Result convertTo(String version) {
        try {
            return ResultCodec.convert(this, version);
        } catch (ResultCodec.ConversionException e) {
            int code = e.getMessage().startsWith("no converter") ? ErrorCodes.INCOMPATIBLE_CNI_VERSION : ErrorCodes.INTERNAL;
            throw new CniException(code, e.getMessage());
        }
    }

    /**
     * The JSON of this result in the shape of its {@link #cniVersion()}, compact.
     *
     * @return UTF-8 JSON
     */
    public byte[] toJson() {
        return Json.write(ResultCodec.encode(this));
    }

    /**
     * The JSON of this result, indented with four spaces as Go plugins print it.
     *
     * @return UTF-8 JSON
     */
    public byte[] toIndentedJson() {
        return Json.writeIndented(ResultCodec.encode(this));
    }

    /**
     * Reads a result in the shape of its own {@code cniVersion} (absent or "" = 0.1.0).
     *
     * @param json UTF-8 JSON
     * @return the result
     * @throws CniException code 6 when the JSON is invalid or does not match the shape
     */
    public static Result fromJson(byte[] json) {
        JsonNode node;
        try {
            node = Json.parse(json);
        } catch (JsonProcessingException e) {
            throw new CniException(ErrorCodes.DECODING_FAILURE, "failed to decode result: " + Json.describe(e));
        }
        String version = node.isObject() && node.path("cniVersion").isTextual() ? node.get("cniVersion").textValue() : "";
        return fromJson(json, version);
    }

    /**
     * Reads a result in the shape of a given version, whatever its own {@code cniVersion} says.
     *
     * @param json UTF-8 JSON
     * @param version the version to read it as
     * @return the result, stating {@code version}
     * @throws CniException code 6 when the JSON is invalid or does not match the shape
     */
    public static Result fromJson(byte[] json, String version) {
        try {
            return ResultCodec.decode(Json.parse(json), version);
        } catch (JsonProcessingException e) {
            throw new CniException(ErrorCodes.DECODING_FAILURE, "failed to decode result: " + Json.describe(e));
        } catch (Decode.DecodeException e) {
            throw new CniException(ErrorCodes.DECODING_FAILURE, "failed to decode result: " + e.getMessage());
        }
    }

    /** @return the compact JSON text */
    @Override
    public String toString() {
        return Json.text(toJson());
    }
}
