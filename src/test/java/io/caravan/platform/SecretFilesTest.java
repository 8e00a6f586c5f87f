package io.caravan.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretFilesTest {

    @TempDir
    Path dir;

    @Test
    void generatesOnceKeepsOwnerOnlyAndReadsBack() throws Exception {
        SecretFiles secrets = new SecretFiles(dir.resolve("secrets"));
        String first = secrets.getOrCreate("db-password");

        assertThat(first).matches("[A-Za-z0-9_-]{32}");
        assertThat(new SecretFiles(dir.resolve("secrets")).getOrCreate("db-password")).isEqualTo(first);
        assertThat(secrets.getOrCreate("other")).isNotEqualTo(first);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("secrets")))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("secrets/db-password"))))
                .isEqualTo("rw-------");
    }
}
