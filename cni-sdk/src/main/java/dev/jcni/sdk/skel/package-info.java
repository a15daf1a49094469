/**
 * The plugin side of the protocol: implement {@link dev.jcni.sdk.skel.Plugin} and hand it
 * to {@link dev.jcni.sdk.skel.PluginMain}, which reads the environment and stdin, validates
 * them, dispatches the verb and writes the result or the error JSON to stdout.
 * The Go equivalent is {@code github.com/containernetworking/cni/pkg/skel}.
 */
package dev.jcni.sdk.skel;
