/**
 * CNI spec versions: parsing and comparison, the versions this library supports,
 * {@code cniVersions} negotiation and result conversion between every pair of versions.
 * The Go equivalent is {@code github.com/containernetworking/cni/pkg/version}.
 */
package dev.jcni.sdk.version;
