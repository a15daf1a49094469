package dev.jcni.netlink.sys;

import dev.jcni.sdk.internal.PeerProcesses;
import java.io.IOException;
import java.nio.channels.SocketChannel;

/**
 * cni-sdk-netlink's {@link PeerProcesses} for the warm-mode daemon: SO_PEERCRED, and the pidfd the
 * kernel made at connect time (SO_PEERPIDFD, Linux 6.5+), else one opened right after
 * (pidfd_open, Linux 5.3+). Not API.
 */
public final class KernelPeers implements PeerProcesses {
    /** For the service loader. */
    public KernelPeers() {
    }

    @Override
    public void load() throws IOException {
        try {
            Sys.load();
        } catch (RuntimeException | LinkageError e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public Peer of(SocketChannel channel) throws IOException {
        try {
            int[] cred = Sys.peerCredentials(channel);
            int pidfd = Sys.peerPidfd(channel);
            if (pidfd < 0 && cred[0] > 0) {
                pidfd = Sys.pidfdOpen(cred[0]);
            }
            if (pidfd < 0) {
                throw new IOException("no pidfd of the peer (pid " + cred[0] + "): errno " + -pidfd);
            }
            return new Peer(cred[0], cred[1], cred[2], pidfd, Sys::close);
        } catch (RuntimeException | LinkageError e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
