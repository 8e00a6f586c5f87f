package io.caravan.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileLocalEnvTest {

    @TempDir
    Path dir;

    @Test
    void valuesWithQuotesSpacesAndDollarsSurviveSourcing() throws Exception {
        FileLocalEnv env = new FileLocalEnv(dir.resolve("sub/local.env"));
        String tricky = "it's $HOME `x` \"q\" \\ ; done";
        env.put("TRICKY", tricky);
        env.put("PLAIN", "abc");

        Process bash = new ProcessBuilder("bash", "-c", "set -a; . \"$1\"; printf '%s|%s' \"$TRICKY\" \"$PLAIN\"",
                "sh", env.file().toString()).redirectErrorStream(true).start();
        String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.waitFor(10, TimeUnit.SECONDS)).isTrue();

        assertThat(out).isEqualTo(tricky + "|abc");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(env.file()))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("sub")))).isEqualTo("rwx------");
    }

    @Test
    void putReplacesAVariableAndLeavesNoTemporaryFiles() throws Exception {
        FileLocalEnv env = new FileLocalEnv(dir.resolve("local.env"));
        env.put("A", "1");
        env.put("A", "2");

        assertThat(Files.readAllLines(env.file())).contains("A='2'").doesNotContain("A='1'");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("local.env");
        }
    }

    @Test
    void refusesNamesThatAreNotShellVariablesAndValuesWithNul() {
        FileLocalEnv env = new FileLocalEnv(dir.resolve("local.env"));
        assertThatThrownBy(() -> env.put("lower", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> env.put("A;B", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> env.put("A", "x\0y")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("x");
    }
}
