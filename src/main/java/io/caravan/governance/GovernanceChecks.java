package io.caravan.governance;

import io.caravan.deliver.Agreement;
import io.caravan.deliver.AgreementRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * What the record of processing needs from the configuration and does not get, as warnings (the
 * platform runs; the record lists the gap and flags it), each {@code file: $.path: message}:
 * a partner receiving data under an agreement that declares no country in {@code partners.yaml},
 * and a controller or DPO contact missing from {@code application.yaml}. A purpose without a legal
 * basis and a connector without a data class are errors of their own files' schemas already.
 * Used by the {@code validate} command and logged at start. Stateless and thread-safe.
 */
public final class GovernanceChecks {
    private GovernanceChecks() {
    }

    /** Warnings about recipients' countries ({@code partners.yaml} in {@code configDir}). */
    public static List<String> recipientCountries(Path configDir, AgreementRegistry agreements) {
        Path partners = configDir.resolve("partners.yaml");
        Set<String> recipients = agreements.all().stream().map(Agreement::partner).collect(Collectors.toCollection(TreeSet::new));
        String display = RecordBuilder.display(partners);
        return GovernanceFiles.recipientsWithoutCountry(partners, recipients).stream().map(p -> display + ": " + p).toList();
    }

    /**
     * Warnings about the contacts, when no document of {@code application.yaml} names
     * {@code caravan.governance.controller} or {@code .dpo} with a name or an e-mail (production may
     * set them from the environment instead).
     */
    public static List<String> contacts(Path applicationYaml) {
        List<String> warnings = new ArrayList<>();
        if (!Files.exists(applicationYaml)) {
            return warnings;
        }
        boolean controller = false;
        boolean dpo = false;
        try (InputStream in = Files.newInputStream(applicationYaml);
             MappingIterator<JsonNode> documents = new YAMLMapper().readerFor(JsonNode.class).readValues(in)) {
            while (documents.hasNext()) {
                JsonNode governance = documents.next().path("caravan").path("governance");
                controller |= named(governance.path("controller"));
                dpo |= named(governance.path("dpo"));
            }
        } catch (IOException | RuntimeException e) {
            return warnings; // its syntax is reported by the validate command's own check
        }
        String display = RecordBuilder.display(applicationYaml);
        if (!controller) {
            warnings.add(display + ": $.caravan.governance.controller: controller contact not configured (name, email);"
                    + " the record of processing lists it as missing");
        }
        if (!dpo) {
            warnings.add(display + ": $.caravan.governance.dpo: data-protection officer contact not configured (name, email);"
                    + " the record of processing lists it as missing");
        }
        return warnings;
    }

    private static boolean named(JsonNode contact) {
        return !contact.path("name").asString("").isBlank() || !contact.path("email").asString("").isBlank();
    }
}
