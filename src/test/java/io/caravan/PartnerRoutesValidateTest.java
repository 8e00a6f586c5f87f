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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code validate} enforces {@code partners.yaml}'s {@code routes:} against the routes that read each partner's inbox. */
class PartnerRoutesValidateTest {
    @TempDir
    Path repo;

    @BeforeEach
    void copyRepository() throws IOException {
        for (String dir : List.of("routes", "connectors", "config")) {
            try (Stream<Path> files = Files.walk(Path.of(dir))) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    Path target = repo.resolve(dir).resolve(Path.of(dir).relativize(file).toString());
                    Files.createDirectories(target.getParent());
                    Files.copy(file, target);
                }
            }
        }
    }

    @Test
    void aRouteReadingAPartnersInboxMustBeListedUnderThatPartner() throws IOException {
        Path partners = repo.resolve("config/partners.yaml");
        Files.writeString(partners, Files.readString(partners).replace("routes: [kreditwerk-contracts]", "routes: []"));

        List<String> lines = validate();

        assertThat(lines).anySatisfy(l -> assertThat(l).contains("kreditwerk/contracts.camel.yaml:")
                .contains("route 'kreditwerk-contracts' from: reads the inbox of partner 'kreditwerk', but $.partners[5].routes of")
                .contains("partners.yaml does not list it"));
        assertThat(lines.get(lines.size() - 1)).isEqualTo("validate: 1 problem(s)");
    }

    @Test
    void aListedRouteMustExistAndAnInboxNeedsItsPartner() throws IOException {
        Path partners = repo.resolve("config/partners.yaml");
        Files.writeString(partners, Files.readString(partners).replace("routes: [dealer-nord-sales]",
                "routes: [dealer-nord-sales, dealer-nord-leads]"));
        Path route = repo.resolve("routes/dealer-west/sales.camel.yaml");
        Files.createDirectories(route.getParent());
        Files.writeString(route, Files.readString(repo.resolve("routes/dealer-nord/sales.camel.yaml"))
                .replace("id: dealer-nord-sales", "id: dealer-west-sales").replace("/dealer-nord/inbox", "/dealer-west/inbox"));

        List<String> lines = validate();

        assertThat(lines).anySatisfy(l -> assertThat(l).contains("partners.yaml:").endsWith(": $.partners[0].routes[1]: no route 'dealer-nord-leads' in routes/"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("route 'dealer-west-sales' from: reads the inbox of partner "
                + "'dealer-west', which").contains("does not define"));
        assertThat(lines.get(lines.size() - 1)).isEqualTo("validate: 2 problem(s)");
    }

    private List<String> validate() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Validate.run(repo, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }
}
