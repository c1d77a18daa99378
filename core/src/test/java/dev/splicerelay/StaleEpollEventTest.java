package dev.splicerelay;

import dev.splicerelay.Streams.Transfer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.DuplexChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.Socket;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a stale epoll event can do to a relay's channels, and that the relay never turns it into lost bytes.
 *
 * <p>Netty's epoll transport looks channels up by fd number. An event fetched in one {@code epoll_wait} batch for a
 * channel that closes during that batch reaches whichever channel got the freed number later in the same batch: one
 * just accepted, or a peer just created to connect. A stale {@code EPOLLRDHUP} marks the first for the rest of its
 * life (Netty's splice then ends its stream at once), and shuts the input of the second down before it connects. The
 * chaos test met both: a clean relay that completed after 29 ms with none of the target's bytes. These tests put the
 * channels in those states directly.
 */
@Timeout(30)
class StaleEpollEventTest {
    private static final int SIZE = 4 << 20;

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RelayCase.class, names = {"EPOLL_COPY", "EPOLL_SPLICE"})
    void aPeerWhoseInputWasShutDownBeforeItConnectedFailsTheRelayInsteadOfEndingItsStream(RelayCase relayCase)
            throws Exception {
        RelayConfig config = RelayConfig.builder().mode(relayCase.mode()).build();
        try (RelayFixture fixture = new RelayFixture(relayCase, f -> new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ChannelFuture registered = RelayBootstrap.forInbound(ch, f.backendAddress()).register();
                // What a stale EPOLLRDHUP does to a channel that is not connected yet.
                ((DuplexChannel) registered.channel()).shutdownInput();
                f.relay(ch, config, registered.channel().connect(f.backendAddress()));
            }
        });
             Socket client = fixture.connect();
             Socket backend = fixture.acceptBackend()) {
            client.shutdownOutput();
            RelayStats stats = fixture.nextStats();
            assertEquals(RelayOutcome.ERROR, stats.outcome(), stats::toString);
            assertTrue(stats.cause().map(Throwable::getMessage).orElse("").contains("before its connect completed"),
                    stats::toString);
        }
    }

    @Test
    void aChannelMarkedWithAnRdHupBeforeTheRelayStartsIsCopiedToItsRealEnd() throws Exception {
        RelayCase.EPOLL_SPLICE.assumeAvailable();
        RelayConfig config = RelayConfig.builder().mode(RelayMode.AUTO).build();
        try (RelayFixture fixture = new RelayFixture(RelayCase.EPOLL_SPLICE, f -> new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) throws Exception {
                markRdHup(ch);
                f.relay(ch, config);
            }
        });
             Socket client = fixture.connect();
             Socket backend = fixture.acceptBackend()) {
            Future<Transfer> up = fixture.async(() -> Streams.send(client, SIZE, 2, true));
            Future<Transfer> down = fixture.async(() -> Streams.send(backend, SIZE, 3, true));
            assertEquals(Streams.expected(SIZE, 2), Streams.receive(backend), "client to backend");
            assertEquals(Streams.expected(SIZE, 3), Streams.receive(client), "backend to client");
            up.get(10, TimeUnit.SECONDS);
            down.get(10, TimeUnit.SECONDS);
            RelayStats stats = fixture.nextStats();
            assertEquals(RelayOutcome.COMPLETED, stats.outcome(), stats::toString);
            assertEquals(RelayMode.COPY, stats.mode(), stats::toString);
            assertTrue(stats.modeReason().contains("EPOLLRDHUP"), stats::toString);
        }
    }

    /** Sets the mark Netty's epoll read handle keeps once it has seen an {@code EPOLLRDHUP}. */
    private static void markRdHup(Channel channel) throws IOException {
        try {
            Object handle = channel.unsafe().recvBufAllocHandle();
            Field receivedRdHup = Class.forName("io.netty.channel.epoll.EpollRecvByteAllocatorHandle")
                    .getDeclaredField("receivedRdHup");
            receivedRdHup.setAccessible(true);
            receivedRdHup.setBoolean(handle, true);
        } catch (ReflectiveOperationException e) {
            throw new IOException("this Netty's epoll read handle has no receivedRdHup mark", e);
        }
    }
}
