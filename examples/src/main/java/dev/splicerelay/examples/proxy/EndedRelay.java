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
