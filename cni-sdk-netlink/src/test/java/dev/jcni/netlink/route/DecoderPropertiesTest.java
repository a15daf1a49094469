package dev.jcni.netlink.route;

import dev.jcni.netlink.NetlinkCodecException;
import dev.jcni.netlink.NetlinkMessage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class DecoderPropertiesTest {
    /** Every decoder, fed arbitrary payloads in a well-formed header, fails only with the codec's exception. */
    @Property(tries = 2000)
    void decodersThrowOnlyCodecExceptions(@ForAll @Size(max = 160) byte[] payload,
            @ForAll @IntRange(min = 0, max = 4) int kind) {
        ByteBuffer b = ByteBuffer.allocate(16 + payload.length).order(ByteOrder.nativeOrder());
        b.putInt(16 + payload.length).putShort((short) 16).putShort((short) 0).putInt(0).putInt(0).put(payload);
        NetlinkMessage m = NetlinkMessage.parse(b.array());
        try {
            switch (kind) {
                case 0 -> Decode.link(m);
                case 1 -> Decode.address(m);
                case 2 -> Decode.route(m);
                case 3 -> Decode.neighbour(m);
                default -> Decode.bridgeVlans(m);
            }
        } catch (NetlinkCodecException expected) {
            // fine
        }
    }
}
