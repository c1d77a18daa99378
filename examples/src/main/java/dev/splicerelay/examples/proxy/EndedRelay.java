package dev.splicerelay.examples.proxy;

import dev.splicerelay.RelayStats;

/**
 * One ended relay, as the logs and metrics see it. Immutable.
 *
 * @param client the client, as {@link ClientAddress#of} names it
 * @param listen the proxy's address that the client connected to
 * @param front  the front that served the client
 * @param target where the client was relayed to
 * @param stats  what the relay did
 */
record EndedRelay(String client, String listen, Front front, ProxyAddress target, RelayStats stats) {
}
