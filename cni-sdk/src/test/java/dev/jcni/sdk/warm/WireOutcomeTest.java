package dev.jcni.sdk.warm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.WritableByteChannel;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class WireOutcomeTest {

    /** A gathering channel that takes at most {@code chunk} bytes per write, as a full socket buffer does. */
    private static final class Trickle implements GatheringByteChannel {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final int chunk;
        int writes;

        Trickle(int chunk) {
            this.chunk = chunk;
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            writes++;
            long n = 0;
            for (int i = offset; i < offset + length && n < chunk; i++) {
                while (srcs[i].hasRemaining() && n < chunk) {
                    bytes.write(srcs[i].get());
                    n++;
                }
            }
            return n;
        }

        @Override
        public long write(ByteBuffer[] srcs) {
            return write(srcs, 0, srcs.length);
        }

        @Override
        public int write(ByteBuffer src) {
            return (int) write(new ByteBuffer[] {src});
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    /** The frames one by one, as the daemon sent them before the outcome went in one write. */
    private static byte[] oneByOne(byte[] stderr, byte[] stdout, int code) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        WritableByteChannel ch = Channels.newChannel(b);
        if (stderr.length > 0) {
            Wire.frame(ch, Wire.STDERR, stderr, 0, stderr.length);
        }
        if (stdout.length > 0) {
            Wire.frame(ch, Wire.STDOUT, stdout, 0, stdout.length);
        }
        Wire.frame(ch, Wire.EXIT, ByteBuffer.allocate(4).putInt(code).array(), 0, 4);
        return b.toByteArray();
    }

    @Property(tries = 300)
    void theOutcomeIsTheSameFramesInOneGatheringWriteOrSeveralWhenTheSocketTakesLess(
            @ForAll @Size(max = 300) byte[] stderr, @ForAll @Size(max = 300) byte[] stdout, @ForAll int code,
            @ForAll @IntRange(min = 1, max = 700) int chunk) throws IOException {
        Trickle t = new Trickle(chunk);
        Wire.outcome(t, stderr, stdout, code);
        assertArrayEquals(oneByOne(stderr, stdout, code), t.bytes.toByteArray());
        int total = t.bytes.size();
        if (chunk >= total && t.writes != 1) {
            throw new AssertionError("one write expected when the socket takes it all, got " + t.writes);
        }
    }

    @Property(tries = 100)
    void aChannelThatDoesNotGatherGetsTheSameBytes(@ForAll @Size(max = 100) byte[] stderr,
                                                   @ForAll @Size(max = 100) byte[] stdout, @ForAll int code) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        Wire.outcome(Channels.newChannel(b), stderr, stdout, code);
        assertArrayEquals(oneByOne(stderr, stdout, code), b.toByteArray());
    }
}
