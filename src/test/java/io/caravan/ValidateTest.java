package io.caravan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The validate command on the repository's own files and on a copy with one broken thing each. */
class ValidateTest {
    @TempDir
    Path repo;

    @Test
    void theRepositorysOwnFilesValidateClean() {
        Result result = validate(Path.of("."));
        assertThat(result.lines()).containsExactly("validate: routes, connectors and config are valid");
        assertThat(result.exitCode()).isZero();
    }

    @Test
    void everyBrokenThingIsOneLineWithFileLinePathAndMessage() throws IOException {
        copy("routes", "connectors", "config");
        replace("routes/dealer-nord/sales.camel.yaml", "uri: warehouse:sale", "uri: warehose:sale");
        replace("routes/dealer-sued/deliveries.camel.yaml", "uri: warehouse:sale", "uri: warehouse:lead");
        replace("routes/allsecura/policies.camel.yaml", "uri: consent:analytics", "uri: consent:analytic");
        Files.copy(repo.resolve("routes/kreditwerk/contracts.camel.yaml"), repo.resolve("routes/kreditwerk/copy.camel.yaml"));
        replace("config/policies.yaml", "      email: hmac", "      email: hash");

        Result result = validate(repo);

        assertThat(result.lines()).anySatisfy(l -> assertThat(l).isEqualTo(path("routes/dealer-nord/sales.camel.yaml") + ":"
                + lineOf("routes/dealer-nord/sales.camel.yaml", "warehose:sale") + ": route 'dealer-nord-sales' step 4 "
                + "(to: warehose:sale): unknown component 'warehose' (Caravan's steps: consent, consent-feed, fetch, "
                + "harmonise, pseudonymise, taxonomy, warehouse)"));
        assertThat(result.lines()).anySatisfy(l -> assertThat(l).isEqualTo(path("routes/dealer-sued/deliveries.camel.yaml") + ":"
                + lineOf("routes/dealer-sued/deliveries.camel.yaml", "warehouse:lead") + ": route 'dealer-sued-deliveries' "
                + "step 4 (to: warehouse:lead): connector 'dealer-sued-sales' makes records of table sale "
                + "($.record of " + path("connectors/dealer/dealer-sued-sales.yaml") + "), not lead"));
        assertThat(result.lines()).anySatisfy(l -> assertThat(l).startsWith(path("routes/allsecura/policies.camel.yaml") + ":"
                + lineOf("routes/allsecura/policies.camel.yaml", "consent:analytic") + ": route 'allsecura-policies' step 2 "
                + "(to: consent:analytic): unknown purpose 'analytic' (config/purposes.yaml defines ").contains("analytics"));
        assertThat(result.lines()).anySatisfy(l -> assertThat(l).startsWith(path("routes/kreditwerk/copy.camel.yaml") + ":")
                .endsWith(": route 'kreditwerk-contracts': duplicate route id (also in "
                        + path("routes/kreditwerk/contracts.camel.yaml") + ")"));
        assertThat(result.lines()).anySatisfy(l -> assertThat(l).startsWith(path("config/policies.yaml") + ":"
                + lineOf("config/policies.yaml", "email: hash") + ": $.policies[").contains("email"));
        assertThat(result.lines()).last().isEqualTo("validate: " + (result.lines().size() - 1) + " problem(s)");
        assertThat(result.lines()).hasSize(6);
        assertThat(result.exitCode()).isEqualTo(1);
    }

    /** A broken descriptor stops the registry, so routes are then checked without it (as start-up would stop). */
    @Test
    void anOpenlineageYmlWithAnUnknownTransportTypeIsAProblem() throws IOException {
        copy("routes", "connectors", "config");
        Files.writeString(repo.resolve("openlineage.yml"), "transport:\n  type: htp\n  url: http://marquez:5000\n");

        Result result = validate(repo);

        assertThat(result.lines()).hasSize(2).last().isEqualTo("validate: 1 problem(s)");
        assertThat(result.lines().get(0)).startsWith("openlineage.yml")
                .endsWith("$.transport.type: unknown transport type 'htp' (valid: console, file, http, kafka)");
        assertThat(result.exitCode()).isEqualTo(1);
    }

    @Test
    void aBrokenDescriptorIsNamedWithItsLineAndTheValidTypes() throws IOException {
        copy("routes", "connectors", "config");
        replace("connectors/dealer/dealer-nord-sales.yaml", "{ column: FIN, type: vin,", "{ column: FIN, type: vinn,");

        Result result = validate(repo);

        assertThat(result.lines()).containsExactly(path("connectors/dealer/dealer-nord-sales.yaml") + ":"
                + lineOf("connectors/dealer/dealer-nord-sales.yaml", "type: vinn") + ": $.fields.vin.type: unknown type 'vinn' "
                + "(valid: text, integer, decimal, date, timestamp, boolean, email, phone, vin, postcode, vocabulary)",
                "validate: 1 problem(s)");
        assertThat(result.exitCode()).isEqualTo(1);
    }

    private record Result(int exitCode, List<String> lines) {
    }

    private static Result validate(Path root) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = Validate.run(root, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return new Result(code, bytes.toString(StandardCharsets.UTF_8).lines().toList());
    }

    private String path(String relative) {
        return repo.resolve(relative).toAbsolutePath().normalize().toString();
    }

    private String lineOf(String relative, String text) throws IOException {
        List<String> lines = Files.readAllLines(repo.resolve(relative));
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return Integer.toString(i + 1);
            }
        }
        throw new AssertionError(text + " not in " + relative);
    }

    private void replace(String relative, String from, String to) throws IOException {
        Path file = repo.resolve(relative);
        String text = Files.readString(file);
        assertThat(text).contains(from);
        Files.writeString(file, text.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to)));
    }

    private void copy(String... dirs) throws IOException {
        for (String dir : dirs) {
            Path source = Path.of(dir);
            try (Stream<Path> files = Files.walk(source)) {
                for (Path file : files.toList()) {
                    Path target = repo.resolve(source.relativize(file).toString().isEmpty() ? dir : dir + "/" + source.relativize(file));
                    if (Files.isDirectory(file)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(file, target);
                    }
                }
            }
        }
    }
}
