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

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.unix.FileDescriptor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The own engine's pipes hold what {@link Pipe#capacity()} says, measured by filling one without blocking: 64 KiB
 * with the Java 17 classes, and exactly {@code -Dpipes.expectedBytes} where the build says what to expect (1 MiB in
 * the multi-release jar on JDK 22+, see core/pom.xml's jdk22-pipes profile).
 */
@Timeout(10)
class PipeSizeTest {
    private static final String EXPECTED = System.getProperty("pipes.expectedBytes");

    @BeforeEach
    void ownEngine() {
        RelayCase.EPOLL_SPLICE_OWN.assumeAvailable();
    }

    @Test
    void aPipeHoldsWhatItsCapacitySays() throws IOException {
        Pipe pipe = Pipe.open();
        try {
            assertEquals(pipe.capacity(), fill(pipe.writeEnd()), PipeSizer.mechanism());
        } finally {
            pipe.close();
        }
    }

    @Test
    void aPipeHoldsTheSizeThisBuildExpects() throws IOException {
        assumeTrue(EXPECTED != null, "no -Dpipes.expectedBytes: the size depends on the JDK and the jar");
        Pipe pipe = Pipe.open();
        try {
            assertEquals(Integer.parseInt(EXPECTED), fill(pipe.writeEnd()), "Java " + Runtime.version() + ", "
                    + PipeSizer.mechanism());
        } finally {
            pipe.close();
        }
    }

    /** Writes into the non-blocking pipe until it is full; returns how many bytes it took. */
    private static int fill(FileDescriptor writeEnd) throws IOException {
        ByteBuf chunk = Unpooled.directBuffer(64 * 1024).writeZero(64 * 1024);
        try {
            int total = 0;
            for (int n; (n = writeEnd.writeAddress(chunk.memoryAddress(), 0, chunk.readableBytes())) > 0; ) {
                total += n;
            }
            return total;
        } finally {
            chunk.release();
        }
    }
}
