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
package dev.splicerelay.examples.proxy;

import java.time.Duration;

/**
 * When targets count as down and when as up again: {@code --check-interval}, {@code --check-fall},
 * {@code --check-rise} and {@code --fail-timeout}. See {@link Target} and {@link HealthChecks}.
 *
 * @param checkInterval how often each target gets a TCP connect as an active check; zero: no active checks
 * @param checkFall     failed checks in a row that mark a target down
 * @param checkRise     passed checks in a row that mark a down target up
 * @param failTimeout   without active checks, how long a target stays down after a client's connect to it failed
 */
record HealthPolicy(Duration checkInterval, int checkFall, int checkRise, Duration failTimeout) {
    static final HealthPolicy DEFAULTS = new HealthPolicy(Duration.ZERO, 3, 2, Duration.ofSeconds(10));

    boolean activeChecks() {
        return !checkInterval.isZero();
    }
}
