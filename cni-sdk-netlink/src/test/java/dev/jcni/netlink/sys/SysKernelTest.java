package dev.jcni.netlink.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jcni.netlink.Errno;
import dev.jcni.netlink.NetlinkException;
import dev.jcni.sdk.testsupport.KernelTest;
import org.junit.jupiter.api.Test;

@KernelTest
class SysKernelTest {
    @Test
    void errnoIsCapturedPerCallAndNamed() {
        int fd = Sys.openReadOnly("/dev/null");
        try {
            NetlinkException e = assertThrows(NetlinkException.class, () -> Sys.setns(fd, Sys.CLONE_NEWNET));
            assertEquals("setns: EINVAL (Invalid argument)", e.getMessage());
            assertEquals(Errno.EINVAL, e.errno());
            assertEquals("setns", e.operation());
        } finally {
            Sys.close(fd);
        }
        NetlinkException open = assertThrows(NetlinkException.class, () -> Sys.openReadOnly("/nonexistent/x"));
        assertEquals("open \"/nonexistent/x\": ENOENT (No such file or directory)", open.getMessage());
        NetlinkException sock = assertThrows(NetlinkException.class, () -> Sys.socket(Sys.AF_NETLINK, Sys.SOCK_RAW, 4242));
        assertEquals("socket", sock.operation());
        assertEquals(Errno.EPROTONOSUPPORT, sock.errno());
        assertEquals(-Errno.ENOENT, Sys.statfsType("/nonexistent/y"));
        assertEquals(Errno.EINVAL, Sys.umount2("/", 0x7fffffff));
    }
}
