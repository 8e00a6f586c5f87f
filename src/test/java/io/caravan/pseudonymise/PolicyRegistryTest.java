package io.caravan.pseudonymise;

import io.caravan.error.ConfigException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.connector.WarehouseTable;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyRegistryTest {
    private static final Path SHIPPED = Path.of("config/policies.yaml");

    @TempDir
    Path temp;

    private Path file(String yaml) throws Exception {
        Path file = temp.resolve("policies.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private static String policy(String body) {
        return "policies:\n  - id: export\n    keyDomain: partner-a\n" + body;
    }

    @Test
    void shippedWarehousePolicyWritesEveryColumnOfEveryRecordTable() {
        Policy warehouse = PolicyRegistry.load(SHIPPED).find("warehouse").orElseThrow();
        Policy leads = PolicyRegistry.load(SHIPPED).find("warehouse-leads").orElseThrow();
        assertThat(warehouse.keyDomain()).isEqualTo("warehouse");
        assertThat(leads.keyDomain()).isEqualTo("warehouse");
        java.util.Set<String> written = new java.util.HashSet<>(warehouse.outputColumns());
        written.addAll(leads.outputColumns()); // the marketplace leads' reversible contact columns
        for (WarehouseTable table : WarehouseTable.values()) {
            assertThat(written).as(table.tableName()).containsAll(table.columns().keySet());
        }
        assertThat(WarehouseTable.LEAD.columns().keySet()).containsAll(leads.outputColumns());
    }

    @Test
    void aPolicyCanKeepAnHmacdFieldAlsoEncryptedBesideItsToken() throws Exception {
        Policy leads = PolicyRegistry.load(SHIPPED).find("warehouse-leads").orElseThrow();
        assertThat(leads.encryptAlso()).containsExactly("email", "phone");
        assertThat(leads.outputColumns()).contains("email_token", "email_enc", "phone_token", "phone_enc", "subject_token")
                .doesNotContain("email", "phone");
        assertThatThrownBy(() -> PolicyRegistry.load(file(policy("    encryptAlso: [postcode]\n    fields: {email: hmac, postcode: generalise}\n"))))
                .hasMessageContaining("$.policies[0].encryptAlso[0]: 'postcode' is also encrypted only beside its token");
    }

    @Test
    void shippedWarehousePolicyTokenisesIdentifiersAndDropsNames() {
        Policy warehouse = PolicyRegistry.load(SHIPPED).find("warehouse").orElseThrow();
        assertThat(warehouse.action("email")).isEqualTo(FieldAction.HMAC);
        assertThat(warehouse.action("phone")).isEqualTo(FieldAction.HMAC);
        assertThat(warehouse.action("vin")).isEqualTo(FieldAction.HMAC);
        assertThat(warehouse.action("postcode")).isEqualTo(FieldAction.GENERALISE);
        assertThat(warehouse.action("birth_date")).isEqualTo(FieldAction.GENERALISE);
        for (String personal : PolicyRegistry.DROP_ONLY) {
            assertThat(warehouse.action(personal)).as(personal).isEqualTo(FieldAction.DROP);
        }
        assertThat(warehouse.outputColumns()).doesNotContain("email", "phone", "vin", "postcode", "birth_date");
    }

    @Test
    void fieldsAPolicyDoesNotNameAreDropped() throws Exception {
        Policy export = PolicyRegistry.load(file(policy("    keep: [make]\n    fields: {email: hmac}\n")))
                .find("export").orElseThrow();
        assertThat(export.action("loyalty_tier")).isEqualTo(FieldAction.DROP);
        assertThat(export.outputColumns()).containsExactly("make", "email_token", "subject_token");
    }

    @Test
    void unknownActionIsNamedWithFileAndPath() throws Exception {
        Path file = file(policy("    fields: {email: hash}\n"));
        assertThatThrownBy(() -> PolicyRegistry.load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ": $.policies[0].fields.email")
                .hasMessageContaining("enumeration");
    }

    @Test
    void missingKeyDomainIsNamedWithFileAndPath() throws Exception {
        Path file = file("policies:\n  - id: export\n    keep: [make]\n");
        assertThatThrownBy(() -> PolicyRegistry.load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ": $.policies[0]")
                .hasMessageContaining("keyDomain");
    }

    @Test
    void unknownPropertyIsRefused() throws Exception {
        Path file = file(policy("    feilds: {email: hmac}\n"));
        assertThatThrownBy(() -> PolicyRegistry.load(file))
                .hasMessageStartingWith(file + ": $.policies[0]")
                .hasMessageContaining("feilds");
    }

    @Test
    void rejectsAPolicyThatKeepsANameOrHashesAComment() throws Exception {
        Path file = file(policy("    keep: [make, first_name]\n    fields: {comment: hmac, street: encrypt, last_name: drop}\n"));
        assertThatThrownBy(() -> PolicyRegistry.load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(file + ": $.policies[0].keep[1]: names, street addresses and free-text comments may only be dropped")
                .hasMessageContaining(file + ": $.policies[0].fields.comment: names, street addresses")
                .hasMessageContaining(file + ": $.policies[0].fields.street: names, street addresses")
                .hasMessageNotContaining("last_name");
    }

    @Test
    void rejectsAPolicyThatKeepsARawEmail() throws Exception {
        Path file = file(policy("    fields: {email: keep}\n"));
        assertThatThrownBy(() -> PolicyRegistry.load(file))
                .hasMessage(file + ": $.policies[0].fields.email: a raw email may not be kept; use hmac, encrypt or drop");
    }

    @Test
    void rejectsGeneralisingAFieldWithoutARule() throws Exception {
        Path file = file(policy("    fields: {make: generalise}\n"));
        assertThatThrownBy(() -> PolicyRegistry.load(file))
                .hasMessageStartingWith(file + ": $.policies[0].fields.make: no generalisation for 'make'");
    }

    @Test
    void rejectsTwoFieldsWritingOneColumn() throws Exception {
        Path file = file(policy("    keep: [email_token]\n    fields: {email: hmac}\n"));
        assertThatThrownBy(() -> PolicyRegistry.load(file))
                .hasMessage(file + ": $.policies[0].fields.email: writes column 'email_token', as does $.policies[0].keep[0]");
    }

    @Test
    void rejectsAFieldNamedTwice() throws Exception {
        Path file = file(policy("    keep: [postcode]\n    fields: {postcode: generalise}\n"));
        assertThatThrownBy(() -> PolicyRegistry.load(file))
                .hasMessage(file + ": $.policies[0].fields.postcode: field 'postcode' is already named at $.policies[0].keep[0]");
    }

    @Test
    void rejectsDuplicatePolicyIds() throws Exception {
        Path file = file("policies:\n  - {id: a, keyDomain: warehouse}\n  - {id: a, keyDomain: partner-a}\n");
        assertThatThrownBy(() -> PolicyRegistry.load(file)).hasMessage(file + ": $.policies[1].id: duplicate policy id 'a'");
    }

    @Test
    void rejectsBandsThatDoNotAscend() throws Exception {
        Path file = file(policy("    fields: {price_amount: generalise}\n    bands: {price_amount: [0, 500, 100]}\n"));
        assertThatThrownBy(() -> PolicyRegistry.load(file))
                .hasMessage(file + ": $.policies[0].bands.price_amount: band bounds must be strictly ascending");
    }

    @Test
    void invalidYamlNamesFileAndLine() throws Exception {
        Path file = file("policies:\n  - id: a\n    keyDomain: [unclosed\n");
        assertThatThrownBy(() -> PolicyRegistry.load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ": not valid YAML (line ");
    }

    @Test
    void missingFileIsNamed() {
        Path file = temp.resolve("nope.yaml");
        assertThatThrownBy(() -> PolicyRegistry.load(file)).hasMessage(file + ": not found");
    }
}
