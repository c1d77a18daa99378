/*
 * Copyright 2026 The splice-relay developers
 *
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file except in compliance with
 * the License. You may obtain a copy of the License at
 *
 *     https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software distributed under the License is distributed on
 * an "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the License for the
 * specific language governing permissions and limitations under the License.
 */
package dev.splicerelay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelPipeline;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.epoll.EpollChannelConfig;
import io.netty.channel.epoll.EpollMode;
import io.netty.channel.epoll.Native;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.function.LongConsumer;

/**
 * The one place that calls Netty's deprecated {@link AbstractEpollStreamChannel#spliceTo} (deprecated by
 * netty/netty#15911 and removed from Netty 5 by #15898) and reads Netty internals, so both can be replaced together.
 *
 * <p>Spliced bytes bypass both pipelines: the source never sees {@code channelRead}, and the sink gets them as a
 * private {@code SpliceOutTask} written through its {@code unsafe()}. The only place such a task shows its byte
 * count is the sink's {@link MessageSizeEstimator}, which Netty asks once per task as it queues it; the estimator
 * installed here reports that count (read from the task's private {@code len} field) to the relay and returns it as
 * the task's size, so the sink's writability reflects the pipe too. Netty caches a pipeline's estimator handle on
 * first use, so installing one also clears that cache. Before a splice starts, the source's {@code EPOLLRDHUP} mark
 * is cleared and re-armed through the read handle's {@code receivedRdHup} field and the channel's {@code setFlag}
 * (see {@link #spliceForever}).
 *
 * <p>If a Netty upgrade renames any of these internals, {@link #unavailableReason()} says so and relays copy instead.
 * Netty 4.1 splices only level-triggered channels and switches the mode only while a channel is deregistered;
 * {@link #levelTriggered} does that. Everything here runs on the channels' event loop.
 */
@SuppressWarnings("deprecation")
final class NettySplice {
    private static final String SPLICE_OUT_TASK = "io.netty.channel.epoll.AbstractEpollStreamChannel$SpliceOutTask";
    private static final String EPOLL_READ_HANDLE = "io.netty.channel.epoll.EpollRecvByteAllocatorHandle";

    private static final Class<?> SPLICE_OUT_TASK_CLASS;
    private static final VarHandle SPLICE_OUT_TASK_LEN;
    private static final VarHandle PIPELINE_ESTIMATOR_HANDLE;
    private static final Class<?> EPOLL_READ_HANDLE_CLASS;
    private static final VarHandle RECEIVED_RDHUP;
    private static final MethodHandle SET_EPOLL_FLAG;
    private static final String UNAVAILABLE_REASON;

    static {
        Class<?> taskClass = null;
        VarHandle taskLen = null;
        VarHandle estimatorHandle = null;
        Class<?> readHandleClass = null;
        VarHandle receivedRdHup = null;
        MethodHandle setEpollFlag = null;
        String reason = null;
        try {
            taskClass = Class.forName(SPLICE_OUT_TASK, false, AbstractEpollStreamChannel.class.getClassLoader());
            taskLen = MethodHandles.privateLookupIn(taskClass, MethodHandles.lookup())
                    .findVarHandle(taskClass, "len", int.class);
            estimatorHandle = MethodHandles.privateLookupIn(DefaultChannelPipeline.class, MethodHandles.lookup())
                    .findVarHandle(DefaultChannelPipeline.class, "estimatorHandle", MessageSizeEstimator.Handle.class);
            readHandleClass = Class.forName(EPOLL_READ_HANDLE, false, AbstractEpollStreamChannel.class.getClassLoader());
            receivedRdHup = MethodHandles.privateLookupIn(readHandleClass, MethodHandles.lookup())
                    .findVarHandle(readHandleClass, "receivedRdHup", boolean.class);
            Class<?> epollChannelClass = AbstractEpollStreamChannel.class.getSuperclass();
            setEpollFlag = MethodHandles.privateLookupIn(epollChannelClass, MethodHandles.lookup())
                    .findVirtual(epollChannelClass, "setFlag", MethodType.methodType(void.class, int.class))
                    .asType(MethodType.methodType(void.class, AbstractEpollStreamChannel.class, int.class));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            reason = "this Netty version's splice internals are not the ones splice-relay relies on (" + e + ")";
        }
        SPLICE_OUT_TASK_CLASS = taskClass;
        SPLICE_OUT_TASK_LEN = taskLen;
        PIPELINE_ESTIMATOR_HANDLE = estimatorHandle;
        EPOLL_READ_HANDLE_CLASS = readHandleClass;
        RECEIVED_RDHUP = receivedRdHup;
        SET_EPOLL_FLAG = setEpollFlag;
        UNAVAILABLE_REASON = reason;
    }

    private NettySplice() {
    }

    /** Why splicing cannot be used with this Netty, or {@code null} if it can. */
    static String unavailableReason() {
        return UNAVAILABLE_REASON;
    }

    /**
     * Splices everything {@code source} receives into {@code sink} until {@code source} reaches its real end of stream
     * or closes; the future fails if the splice breaks. The source must have {@code AUTO_READ} off until the caller
     * has set up its bookkeeping.
     */
    static ChannelFuture spliceForever(AbstractEpollStreamChannel source, AbstractEpollStreamChannel sink) {
        try {
            forgetRdHup(source);
        } catch (IOException e) {
            return source.newFailedFuture(e);
        }
        return source.spliceTo(sink, Integer.MAX_VALUE);
    }

    /**
     * Clears what Netty recorded of an {@code EPOLLRDHUP} on {@code channel} before its splice starts. Netty keeps
     * that mark for the channel's life, and its splice shuts the input down on the next read cycle while the mark is
     * set, whatever the socket holds; and after an {@code EPOLLRDHUP} it stops asking epoll for more. The mark can be
     * false: Netty looks channels up by fd number, so an event fetched for a channel that closes during the same
     * {@code epoll_wait} batch reaches a channel that got the freed number later in that batch, such as one just
     * accepted. Clearing the mark and asking for {@code EPOLLRDHUP} again is right either way: after a real FIN or
     * reset the socket reports it again at once, and a stale event never comes back.
     */
    private static void forgetRdHup(AbstractEpollStreamChannel channel) throws IOException {
        Object handle = channel.unsafe().recvBufAllocHandle();
        if (!EPOLL_READ_HANDLE_CLASS.isInstance(handle) || !(boolean) RECEIVED_RDHUP.get(handle)) {
            return;
        }
        RECEIVED_RDHUP.set(handle, false);
        try {
            SET_EPOLL_FLAG.invokeExact(channel, Native.EPOLLRDHUP);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Switches {@code channel} to level-triggered epoll, which Netty 4.1 needs for splicing and Netty 4.2 always
     * uses: deregister, switch, register again on the same event loop. The future completes once it is done.
     */
    static ChannelFuture levelTriggered(AbstractEpollStreamChannel channel) {
        EpollChannelConfig config = channel.config();
        if (config.getEpollMode() == EpollMode.LEVEL_TRIGGERED) {
            return channel.newSucceededFuture();
        }
        ChannelPromise done = channel.newPromise();
        channel.deregister().addListener((ChannelFutureListener) deregistered -> {
            if (!deregistered.isSuccess()) {
                done.setFailure(deregistered.cause());
                return;
            }
            config.setEpollMode(EpollMode.LEVEL_TRIGGERED);
            channel.eventLoop().register(channel).addListener((ChannelFutureListener) registered -> {
                if (registered.isSuccess()) {
                    done.setSuccess();
                } else {
                    done.setFailure(registered.cause());
                }
            });
        });
        return done;
    }

    /**
     * Makes {@code sink} report every spliced chunk queued on it to {@code counter}, before the chunk is written.
     */
    static void countSplicedBytes(Channel sink, LongConsumer counter) {
        MessageSizeEstimator previous = sink.config().getMessageSizeEstimator();
        sink.config().setMessageSizeEstimator(new CountingEstimator(previous, counter));
        PIPELINE_ESTIMATOR_HANDLE.setVolatile(sink.pipeline(), (MessageSizeEstimator.Handle) null);
    }

    private static final class CountingEstimator implements MessageSizeEstimator {
        private final MessageSizeEstimator delegate;
        private final LongConsumer counter;

        CountingEstimator(MessageSizeEstimator delegate, LongConsumer counter) {
            this.delegate = delegate;
            this.counter = counter;
        }

        @Override
        public Handle newHandle() {
            Handle delegateHandle = delegate.newHandle();
            return msg -> {
                if (msg.getClass() != SPLICE_OUT_TASK_CLASS) {
                    return delegateHandle.size(msg);
                }
                int len = (int) SPLICE_OUT_TASK_LEN.get(msg);
                counter.accept(len);
                return len;
            };
        }
    }
}
