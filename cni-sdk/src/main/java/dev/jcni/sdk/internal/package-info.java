/** Implementation details of cni-sdk (JSON codecs, the configured mapper). Not API. */
package dev.jcni.sdk.internal;
