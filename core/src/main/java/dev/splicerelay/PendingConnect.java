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
import io.netty.channel.DefaultChannelPromise;
import io.netty.channel.EventLoop;

import java.io.IOException;

/**
 * The connect {@link RelayBootstrap#connect} returns: its channel is registered with {@link #loop()} only a task
 * later, so until then the loop comes from here and not from the channel.
 */
final class PendingConnect extends DefaultChannelPromise {
    private final EventLoop loop;

    PendingConnect(Channel channel, EventLoop loop) {
        super(channel, loop);
        this.loop = loop;
    }

    EventLoop loop() {
        return loop;
    }

    /**
     * Closes the channel of {@code connect} if {@code connect} is a {@link PendingConnect} whose register task has not
     * run yet, and fails the connect; returns whether it did. A relay that ends that early (its inbound channel closed in the task
     * that added it) must not leave the channel to register and connect later, and cannot close it through its
     * pipeline, which has no event loop yet. Must run on the connect's loop, where the register task runs; that task
     * then finds the channel closed and neither registers nor connects it. A connected channel that the own splice
     * engine holds is not registered either, but it is the relay's to close, with a reset if need be.
     */
    static boolean closeIfUnregistered(ChannelFuture connect) {
        Channel channel = connect.channel();
        if (!(connect instanceof PendingConnect) || channel.isRegistered() || connect.isSuccess()) {
            return false;
        }
        channel.unsafe().close(channel.unsafe().voidPromise());
        ((PendingConnect) connect).tryFailure(new IOException("the relay ended before its peer was registered"));
        return true;
    }
}
