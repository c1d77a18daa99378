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
/**
 * Test helpers every module's tests share, published in core's tests jar ({@code splice-relay-core}, type
 * {@code test-jar}): blocking test sockets and SHA-256-checked streams of seeded bytes, waits with a time limit, and
 * the ByteBuf leak check that fails a test class (auto-registered through JUnit's extension auto-detection, with
 * {@code -Dio.netty.customResourceLeakDetector=dev.splicerelay.testing.LeakFailingDetector}). Core's own fixtures,
 * which reach package-private classes, stay in {@code dev.splicerelay}.
 */
package dev.splicerelay.testing;
