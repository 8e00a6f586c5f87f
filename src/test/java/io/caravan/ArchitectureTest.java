package io.caravan;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.nameMatching;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.caravan.error.SafeMessage;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package graph of {@code src/main}, as drawn in the README's Architecture section. Each rule
 * that fails names the offending class and the dependency (the import, call or field) that breaks it.
 */
class ArchitectureTest {
    /** The steps a batch goes through, and the jobs beside them; none of them knows the web layer. */
    private static final String[] STAGES = {
            "io.caravan.ingest..", "io.caravan.harmonise..", "io.caravan.consent..", "io.caravan.pseudonymise..",
            "io.caravan.deliver..", "io.caravan.fetch..", "io.caravan.exchange..", "io.caravan.schedule..",
            "io.caravan.taxonomy..", "io.caravan.sandbox..", "io.caravan.gate..", "io.caravan.calendar..", "io.caravan.notify.."};
    /** What every package may use: the batch model, the ledger, the connector contract, config, errors. */
    private static final String[] FOUNDATION = {
            "io.caravan.error..", "io.caravan.config..", "io.caravan.pipeline..", "io.caravan.ledger..",
            "io.caravan.connector..", "io.caravan.platform..", "io.caravan.audit..", "io.caravan.api.."};
    /** The SFTP gateway: the server partners log in to, their jail, bans, keys and upload completion. */
    private static final Set<String> SFTP_GATEWAY = Set.of("SftpGateway", "SftpGatewayConfiguration",
            "SftpGatewaySettings", "SftpProperties", "SftpMetrics", "JailedSftpAccessor", "LoginBans",
            "UploadCompletion", "KeyFiles", "PartnersFile", "Partner");

    private static JavaClasses caravan;

    @BeforeAll
    static void importMainClasses() {
        caravan = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.caravan");
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching("io.caravan.(*)..").namingSlices("$1")
                .should().beFreeOfCycles()
                .check(caravan);
    }

    @Test
    void dependenciesPointDownTheLayers() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("operations").definedBy("io.caravan.ops..", "io.caravan.privacy..", "io.caravan.governance..")
                .layer("stages").definedBy(STAGES)
                .layer("foundation").definedBy(FOUNDATION)
                .whereLayer("operations").mayNotBeAccessedByAnyLayer()
                .whereLayer("stages").mayOnlyBeAccessedByLayers("operations")
                .check(caravan);
    }

    @Test
    void pipelineStagesNeverImportOps() {
        noClasses().that().resideInAnyPackage(STAGES).or().resideInAnyPackage(FOUNDATION)
                .should().dependOnClassesThat().resideInAPackage("io.caravan.ops..")
                .because("ops is the web and console layer on top; the pipeline must run without it")
                .check(caravan);
    }

    @Test
    void onlyPseudonymiseTouchesKeyMaterial() {
        noClasses().that().resideOutsideOfPackage("io.caravan.pseudonymise..")
                .should().dependOnClassesThat(resideInAnyPackage("javax.crypto..", "com.google.crypto.tink..")
                        .or(nameMatching("io\\.caravan\\.pseudonymise\\."
                                + "(ConfiguredKeyRing|GeneratedKeyRing|ConfiguredKeyFiles|SecureFiles|KeyProperties)(\\$.*)?")))
                .because("keys are read, generated and held only behind KeyRing, Tokeniser, FieldCipher and IdentitySeal")
                .check(caravan);
    }

    @Test
    void sftpGatewayNeverImportsPipelineInternals() {
        noClasses().that(describe("are the SFTP gateway", (JavaClass c) -> c.getPackageName().equals("io.caravan.exchange")
                        && SFTP_GATEWAY.contains(outermost(c).getSimpleName())))
                .should().dependOnClassesThat().resideInAnyPackage("io.caravan.pipeline..", "io.caravan.ingest..",
                        "io.caravan.harmonise..", "io.caravan.consent..", "io.caravan.pseudonymise..",
                        "io.caravan.deliver..", "io.caravan.ledger..", "io.caravan.connector..", "io.caravan.fetch..")
                .because("the gateway only moves files into inboxes; the routes take it from there")
                .check(caravan);
    }

    @Test
    void theLedgerIsUsedThroughItsInterface() {
        noClasses().that().resideOutsideOfPackage("io.caravan.ledger..")
                .should().dependOnClassesThat().haveFullyQualifiedName("io.caravan.ledger.JdbcLedger")
                .because("the ledger owns a batch: its id, its header and every write go through Ledger")
                .check(caravan);
    }

    @Test
    void everyCaravanExceptionPromisesAMessageWithoutValues() {
        classes().that().areAssignableTo(Throwable.class)
                .should().implement(SafeMessage.class)
                .because("FailureReasons stores and logs the message of Caravan's own exceptions as it is")
                .check(caravan);
    }

    private static JavaClass outermost(JavaClass c) {
        JavaClass outer = c;
        while (outer.getEnclosingClass().isPresent()) {
            outer = outer.getEnclosingClass().get();
        }
        return outer;
    }
}
