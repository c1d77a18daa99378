/**
 * A byte-exact TCP relay for Netty: {@link dev.splicerelay.SpliceRelayHandler} joins two connected channels and
 * moves their bytes both ways until both directions are finished, with kernel {@code splice(2)} on the epoll
 * transport and {@link io.netty.buffer.ByteBuf} forwarding on every other transport.
 *
 * <p>Start with {@link dev.splicerelay.RelayBootstrap} to open the outbound connection and
 * {@link dev.splicerelay.SpliceRelayHandler} to relay; {@link dev.splicerelay.RelayConfig} holds the options and
 * {@link dev.splicerelay.RelayStats} reports how a relay ended.
 */
package dev.splicerelay;
