package dev.jcni.sdk.types;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jcni.sdk.internal.Json;
import java.util.Objects;

/**
 * A CNI error: the spec's {@code code}, {@code msg} and {@code details}. Thrown by plugin code and by
 * jcni itself; the skel prints it as the error JSON on stdout and exits non-zero.
 *
 * <p>{@link #getMessage()} is {@code msg}, or {@code msg; details} when details are present, as
 * Go's {@code types.Error.Error()}.
 */
public class CniException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int code;
    private final String msg;
    private final String details;

    /**
     * @param code the error code, see {@link ErrorCodes}
     * @param msg a short message
     * @param details longer details, or "" for none
     */
    public CniException(int code, String msg, String details) {
        super(details.isEmpty() ? msg : msg + "; " + details);
        this.code = check(code);
        this.msg = Objects.requireNonNull(msg, "msg");
        this.details = details;
    }

    /**
     * @param code the error code, see {@link ErrorCodes}
     * @param msg a short message
     */
    public CniException(int code, String msg) {
        this(code, msg, "");
    }

    /**
     * @param code the error code, see {@link ErrorCodes}
     * @param msg a short message
     * @param details longer details, or "" for none
     * @param cause the underlying exception (not printed on the wire)
     */
    public CniException(int code, String msg, String details, Throwable cause) {
        super(details.isEmpty() ? msg : msg + "; " + details, Objects.requireNonNull(cause, "cause"));
        this.code = check(code);
        this.msg = Objects.requireNonNull(msg, "msg");
        this.details = details;
    }

    private static int check(int code) {
        if (code < 0) {
            throw new IllegalArgumentException("CNI error codes are unsigned: " + code);
        }
        return code;
    }

    /** @return the error code */
    public int code() {
        return code;
    }

    /** @return the short message */
    public String msg() {
        return msg;
    }

    /** @return the details, "" when none */
    public String details() {
        return details;
    }

    /**
     * The error JSON of the spec: {@code {"cniVersion", "code", "msg", "details"}}, indented like
     * Go's output. {@code cniVersion} is written when not empty (Go omits it; the spec has it) and
     * {@code details} when not empty.
     *
     * @param cniVersion the version to state, or "" to leave it out
     * @return UTF-8 JSON
     */
    public byte[] toJson(String cniVersion) {
        ObjectNode o = Json.object();
        if (!cniVersion.isEmpty()) {
            o.put("cniVersion", cniVersion);
        }
        o.put("code", code);
        o.put("msg", msg);
        if (!details.isEmpty()) {
            o.put("details", details);
        }
        return Json.writeIndented(o);
    }

    /**
     * Reads an error JSON as a plugin printed it.
     *
     * @param json the bytes
     * @return the error
     * @throws IllegalArgumentException when the bytes are not an error object
     */
    public static CniException fromJson(byte[] json) {
        JsonNode n;
        try {
            n = Json.parse(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(Json.describe(e), e);
        }
        if (!n.isObject() || !n.has("code") || !n.get("code").canConvertToLong() || n.get("code").asLong() < 0
                || n.get("code").asLong() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("not a CNI error object: " + Json.text(json));
        }
        JsonNode msg = n.get("msg");
        JsonNode details = n.get("details");
        return new CniException(n.get("code").intValue(), msg == null || msg.isNull() ? "" : msg.asText(),
                details == null || details.isNull() ? "" : details.asText());
    }
}
