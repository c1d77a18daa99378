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

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code splice-proxy.jar} as a Java 22+ JVM opens it: a multi-release jar, so that core's Java 22 pipe sizer
 * (1 MiB pipes for the own splice engine) replaces the Java 17 one. Checked by opening the jar the way the JVM does
 * for release 22, so it runs on the build's Java 17.
 */
@Timeout(30)
class ProxyJarIT {
    private static final String PIPE_SIZER = "dev/splicerelay/PipeSizer.class";

    @Test
    void isMultiReleaseSoThatJava22GetsTheOneMegabytePipeSizer() throws Exception {
        try (JarFile jar = new JarFile(ProxyProcess.JAR.toFile(), true, ZipFile.OPEN_READ, Runtime.Version.parse("22"))) {
            assertTrue(jar.isMultiRelease(), "the manifest must say Multi-Release: true");
            assertNotNull(jar.getManifest().getMainAttributes().getValue("Main-Class"), "Main-Class");
            assumeTrue(Files.isDirectory(Path.of("../core/target/classes/META-INF/versions/22")),
                    "core was built without a JDK 22+, so its jar has no Java 22 pipe sizer");
            JarEntry sizer = jar.getJarEntry(PIPE_SIZER);
            assertNotNull(sizer, PIPE_SIZER);
            assertEquals("META-INF/versions/22/" + PIPE_SIZER, sizer.getRealName());
        }
    }
}
