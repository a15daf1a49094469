/**
 * The CNI data model: plugin configuration ({@link dev.jcni.sdk.types.NetConf}), network
 * configuration lists ({@link dev.jcni.sdk.types.NetConfList}), results
 * ({@link dev.jcni.sdk.types.Result}), errors ({@link dev.jcni.sdk.types.CniException})
 * and the value types they are made of (IP prefixes, MAC addresses, routes).
 *
 * <p>Everything here is immutable. Optional values are {@link java.util.Optional} or empty
 * collections, never {@code null}. The Go equivalent is {@code github.com/containernetworking/cni/pkg/types}.
 */
package dev.jcni.sdk.types;
