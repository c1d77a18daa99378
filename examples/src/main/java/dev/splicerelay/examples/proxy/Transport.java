package dev.splicerelay.examples.proxy;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;

import java.util.Locale;

/**
 * The Netty transport the proxy runs on. Only {@link #EPOLL} can splice; accepted channels and the channels the
 * relay opens to targets share the server channel's transport, so choosing it here chooses it for everything.
 */
enum Transport {
    EPOLL {
        @Override
        IoHandlerFactory ioHandlerFactory() {
            return EpollIoHandler.newFactory();
        }

        @Override
        Class<? extends ServerChannel> serverChannelClass() {
            return EpollServerSocketChannel.class;
        }

        @Override
        String unavailableReason() {
            return Epoll.isAvailable() ? null : String.valueOf(Epoll.unavailabilityCause());
        }
    },
    NIO {
        @Override
        IoHandlerFactory ioHandlerFactory() {
            return NioIoHandler.newFactory();
        }

        @Override
        Class<? extends ServerChannel> serverChannelClass() {
            return NioServerSocketChannel.class;
        }

        @Override
        String unavailableReason() {
            return null;
        }
    };

    abstract IoHandlerFactory ioHandlerFactory();

    abstract Class<? extends ServerChannel> serverChannelClass();

    /** Why this transport cannot run here, or {@code null} if it can. */
    abstract String unavailableReason();

    /** Epoll where it is available, NIO elsewhere. */
    static Transport best() {
        return EPOLL.unavailableReason() == null ? EPOLL : NIO;
    }

    /** The name used on the command line and in the start-up line. */
    String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
