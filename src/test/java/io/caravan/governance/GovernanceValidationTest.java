package io.caravan.governance;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.Validate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The validate command on a copy of the repository with one governance gap each. */
class GovernanceValidationTest {
    @TempDir
    Path repo;

    @BeforeEach
    void copyRepository() throws IOException {
        for (String dir : List.of("routes", "connectors", "config")) {
            try (Stream<Path> files = Files.walk(Path.of(dir))) {
                for (Path file : files.toList()) {
                    Path target = repo.resolve(file.toString());
                    if (Files.isDirectory(file)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(file, target);
                    }
                }
            }
        }
    }

    private record Result(int code, List<String> lines) {
    }

    private Result validate() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = Validate.run(repo, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return new Result(code, bytes.toString(StandardCharsets.UTF_8).lines().toList());
    }

    private void edit(String file, String from, String to) throws IOException {
        Path path = repo.resolve(file);
        String text = Files.readString(path);
        assertThat(text).contains(from);
        Files.writeString(path, text.replace(from, to));
    }

    @Test
    void aRecipientPartnerWithoutACountryIsAWarningNamingFileAndPath() throws IOException {
        edit("config/partners.yaml", "    name: Fahrbank Leasing (finance)\n    country: DE\n", "    name: Fahrbank Leasing (finance)\n");
        Result result = validate();
        assertThat(result.code()).isZero();
        assertThat(result.lines()).hasSize(2);
        assertThat(result.lines().get(0)).startsWith("warning: ").contains("config/partners.yaml")
                .contains("$.partners[4].country: recipient partner 'fahrbank-leasing' declares no country");
        assertThat(result.lines().get(1)).isEqualTo("validate: routes, connectors and config are valid (1 warning(s))");
    }

    @Test
    void aPurposeWithoutALegalBasisIsAnErrorNamingFileAndPath() throws IOException {
        edit("config/purposes.yaml", "  analytics:\n    basis: legitimate_interest\n", "  analytics:\n");
        Result result = validate();
        assertThat(result.code()).isEqualTo(1);
        assertThat(result.lines()).anySatisfy(line -> assertThat(line).contains("config/purposes.yaml")
                .contains("$.purposes.analytics").contains("basis"));
    }

    @Test
    void aConnectorWithoutADataClassIsAnErrorNamingFileAndPath() throws IOException {
        edit("connectors/dealer/dealer-nord-sales.yaml", "dataClass: first_party\n", "");
        Result result = validate();
        assertThat(result.code()).isEqualTo(1);
        assertThat(result.lines()).anySatisfy(line -> assertThat(line).contains("connectors/dealer/dealer-nord-sales.yaml")
                .contains("$").contains("dataClass"));
    }

    @Test
    void missingControllerAndDpoContactsAreWarningsNotFailures() throws IOException {
        String application = Files.readString(repo.resolve("config/application.yaml"));
        Files.writeString(repo.resolve("config/application.yaml"), application.replaceAll(
                "(?s)  governance:\\n    controller:.*?dpo@example.com\\n", ""));
        Result result = validate();
        assertThat(result.code()).isZero();
        assertThat(result.lines()).containsExactly(
                "warning: " + repo.resolve("config/application.yaml") + ": $.caravan.governance.controller: controller contact"
                        + " not configured (name, email); the record of processing lists it as missing",
                "warning: " + repo.resolve("config/application.yaml") + ": $.caravan.governance.dpo: data-protection officer"
                        + " contact not configured (name, email); the record of processing lists it as missing",
                "validate: routes, connectors and config are valid (2 warning(s))");
    }
}
