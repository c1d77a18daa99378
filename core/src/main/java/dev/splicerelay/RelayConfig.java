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

import java.time.Duration;
import java.util.Objects;

/**
 * The options of a {@link SpliceRelayHandler}: immutable, validated when built, with defaults that suit a proxy.
 *
 * <pre>{@code
 * RelayConfig config = RelayConfig.builder()
 *         .mode(RelayMode.AUTO)
 *         .spliceEngine(SpliceEngine.AUTO)
 *         .idleTimeout(Duration.ofMinutes(5))
 *         .build();
 * }</pre>
 */
public final class RelayConfig {
    /** The default idle timeout: {@value #DEFAULT_IDLE_TIMEOUT_SECONDS} seconds, as nginx's stream proxy. */
    public static final long DEFAULT_IDLE_TIMEOUT_SECONDS = 600;

    private static final RelayConfig DEFAULTS = builder().build();

    private final RelayMode mode;
    private final SpliceEngine spliceEngine;
    private final Duration idleTimeout;

    private RelayConfig(Builder builder) {
        this.mode = builder.mode;
        this.spliceEngine = builder.spliceEngine;
        this.idleTimeout = builder.idleTimeout;
    }

    /**
     * {@return the default configuration: {@link RelayMode#AUTO}, {@link SpliceEngine#AUTO} and an idle timeout of
     * {@value #DEFAULT_IDLE_TIMEOUT_SECONDS} seconds}
     */
    public static RelayConfig defaults() {
        return DEFAULTS;
    }

    /** {@return a builder that starts from the defaults} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return a builder that starts from this configuration} */
    public Builder toBuilder() {
        return new Builder().mode(mode).spliceEngine(spliceEngine).idleTimeout(idleTimeout);
    }

    /** {@return how the relay moves bytes; see {@link RelayMode}} */
    public RelayMode mode() {
        return mode;
    }

    /** {@return the engine a splicing relay uses; see {@link SpliceEngine}} */
    public SpliceEngine spliceEngine() {
        return spliceEngine;
    }

    /**
     * {@return how long both directions may stay without a byte before the relay closes both sides; zero disables it}
     */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    @Override
    public String toString() {
        return "RelayConfig{mode=" + mode + ", spliceEngine=" + spliceEngine + ", idleTimeout=" + idleTimeout + '}';
    }

    /** Builds a {@link RelayConfig}; every setter validates its argument at once. */
    public static final class Builder {
        private RelayMode mode = RelayMode.AUTO;
        private SpliceEngine spliceEngine = SpliceEngine.AUTO;
        private Duration idleTimeout = Duration.ofSeconds(DEFAULT_IDLE_TIMEOUT_SECONDS);

        private Builder() {
        }

        /**
         * Sets how the relay moves bytes; {@link RelayMode#AUTO} by default.
         *
         * @param mode the mode
         * @return this builder
         */
        public Builder mode(RelayMode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * Sets the engine used when the relay splices; ignored when it copies. {@link SpliceEngine#AUTO} by default.
         *
         * @param spliceEngine the engine
         * @return this builder
         */
        public Builder spliceEngine(SpliceEngine spliceEngine) {
            this.spliceEngine = Objects.requireNonNull(spliceEngine, "spliceEngine");
            return this;
        }

        /**
         * Sets how long both directions may stay without a byte before the relay ends;
         * {@value #DEFAULT_IDLE_TIMEOUT_SECONDS} seconds by default.
         *
         * @param idleTimeout zero or positive; {@link Duration#ZERO} disables the timeout
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder idleTimeout(Duration idleTimeout) {
            Objects.requireNonNull(idleTimeout, "idleTimeout");
            if (idleTimeout.isNegative()) {
                throw new IllegalArgumentException("idleTimeout must not be negative: " + idleTimeout);
            }
            this.idleTimeout = idleTimeout;
            return this;
        }

        /** {@return the configuration} */
        public RelayConfig build() {
            return new RelayConfig(this);
        }
    }
}
