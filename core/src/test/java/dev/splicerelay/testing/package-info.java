/**
 * Test helpers every module's tests share, published in core's tests jar ({@code splice-relay-core}, type
 * {@code test-jar}): blocking test sockets and SHA-256-checked streams of seeded bytes, waits with a time limit, and
 * the ByteBuf leak check that fails a test class (auto-registered through JUnit's extension auto-detection, with
 * {@code -Dio.netty.customResourceLeakDetector=dev.splicerelay.testing.LeakFailingDetector}). Core's own fixtures,
 * which reach package-private classes, stay in {@code dev.splicerelay}.
 */
package dev.splicerelay.testing;
