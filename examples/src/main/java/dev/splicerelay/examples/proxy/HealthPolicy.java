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
