package io.caravan.ingest;

import io.caravan.error.DataException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.connector.ConnectorDescriptor;
import io.caravan.connector.ConnectorRegistry;
import io.caravan.connector.FormatSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import io.caravan.pipeline.Issue;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AdfXmlReaderFactoryTest {
    private static final ConnectorDescriptor ADF = new ConnectorRegistry(Path.of("connectors"), Path.of("config/vocabularies.yaml"),
            Set.of("csv", "fixed-width", "adf-xml", "json")).get("autoboerse-leads-adf");

    /** The same descriptor without the leniency options: what a connector gets that does not ask for them. */
    private static final ConnectorDescriptor STRICT = withFormatRaw(ADF, JsonNodeFactory.instance.objectNode().put("type", "adf-xml"));

    private final AdfXmlReaderFactory factory = new AdfXmlReaderFactory();

    @Test
    void oneRowPerVehicleOfInterestAndTradeInsAreNotLeads() {
        List<SourceRow> rows = read(adf(prospect("P-1", "2026-11-02T08:00:00+01:00",
                vehicle("test-drive", "used", "<make>Audi</make><model>A3</model><vin>WAUZZZGY1PA012345</vin>")
                        + vehicle("trade-in", "used", "<make>Volkswagen</make><model>Golf</model>")
                        + vehicle("buy", "new", "<make>Audi</make><model>Q4 e-tron</model>"), "")));

        assertThat(rows).extracting(SourceRow::number).containsExactly(1L, 2L);
        assertThat(rows).extracting(r -> r.get("lead.ref")).containsExactly("P-1/1", "P-1/3");
        assertThat(rows).extracting(r -> r.get("vehicle.make") + " " + r.get("vehicle.model")).containsExactly("Audi A3", "Audi Q4 e-tron");
        assertThat(rows).extracting(r -> r.get("vehicle.interest")).containsExactly("test-drive", "buy");
        assertThat(rows.get(0).get("vehicle.vin")).isEqualTo("WAUZZZGY1PA012345");
        assertThat(rows.get(1).get("vehicle.vin")).as("values of one vehicle never leak into another's row").isNull();
        assertThat(rows).allSatisfy(r -> assertThat(r.problem()).isNull());
    }

    @ParameterizedTest
    @ValueSource(strings = {"trade-in", "Trade-In", "TRADE IN", "tradein"})
    void tradeInIsRecognisedInAnySpellingOfCaseAndHyphen(String interest) {
        List<SourceRow> rows = read(adf(prospect("P-1", "2026-11-02T08:00:00Z",
                vehicle(interest, "used", "<make>Opel</make>") + vehicle("buy", "new", "<make>Kia</make>"), "")));

        assertThat(rows).singleElement().satisfies(r -> assertThat(r.get("vehicle.make")).isEqualTo("Kia"));
    }

    @Test
    void vehicleAttributesDefaultToTheAdfDtdDefaults() {
        SourceRow row = read(adf(prospect("P-1", "2026-11-02T08:00:00Z", "<vehicle><make>Kia</make></vehicle>", ""))).get(0);

        assertThat(row.get("vehicle.interest")).isEqualTo("buy");
        assertThat(row.get("vehicle.status")).isEqualTo("new");
    }

    @Test
    void prospectWithOnlyATradeInIsOneRejectedRowNamingVehicle() {
        List<SourceRow> rows = read(adf(prospect("P-1", "2026-11-02T08:00:00Z", vehicle("trade-in", "used", "<make>Opel</make>"), "")
                + prospect("P-2", "2026-11-02T09:00:00Z", vehicle("buy", "new", "<make>Kia</make>"), "")));

        assertThat(rows).extracting(SourceRow::number).containsExactly(1L, 2L);
        assertThat(rows.get(0).problem()).isEqualTo(Issue.rejection("vehicle", "no vehicle of interest in the prospect (trade-ins are not leads)"));
        assertThat(rows.get(1).problem()).isNull();
        assertThat(rows.get(1).get("prospect.number")).isEqualTo("2");
    }

    @Test
    void prospectWithoutRequestdateIsOneRejectedRowWhateverItsVehicles() {
        List<SourceRow> rows = read(adf(prospect("P-1", null,
                vehicle("buy", "new", "<make>Kia</make>") + vehicle("buy", "new", "<make>Seat</make>"), "")), STRICT);

        assertThat(rows).singleElement().satisfies(r -> {
            assertThat(r.number()).isEqualTo(1L);
            assertThat(r.problem()).isEqualTo(Issue.rejection("prospect.requestdate", "missing: ADF requires a requestdate per prospect"));
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<?ADF VERSION=\"1.0\"?>\n", "<?adf version=\"1.0\"?>\n", "",
            "<?xml version=\"1.0\"?><?ADF VERSION \"1.0\"?>"})
    void acceptsAdfProcessingInstructionsInAnySpellingAndNoXmlDeclaration(String prolog) {
        List<SourceRow> rows = read(prolog + "<adf>" + prospect("P-1", "2026-11-02T08:00:00Z", vehicle("buy", "new", "<make>Kia</make>"), "") + "</adf>");

        assertThat(rows).singleElement().satisfies(r -> assertThat(r.get("vehicle.make")).isEqualTo("Kia"));
    }

    @Test
    void contactNamesEmailPostcodeVendorAndProviderAreDottedPaths() {
        String customer = "<customer><contact><name part=\"first\">Lena</name><name part=\"last\">Berger</name>"
                + "<email>lena.berger@example.com</email><address><street line=\"1\">Hauptstraße 1</street><postalcode>20095</postalcode></address>"
                + "</contact></customer><vendor><id source=\"autoboerse\">HH-01</id><vendorname>Autohaus Nord</vendorname></vendor>"
                + "<provider><name part=\"full\">Autoboerse</name></provider>";
        SourceRow row = read(adf(prospect("P-1", "2026-11-02T08:00:00Z", vehicle("buy", "new", "<year>2026</year><make>Kia</make>"), customer))).get(0);

        assertThat(row.get("customer.contact.name.first")).isEqualTo("Lena");
        assertThat(row.get("customer.contact.name.last")).isEqualTo("Berger");
        assertThat(row.get("customer.contact.email")).isEqualTo("lena.berger@example.com");
        assertThat(row.get("customer.contact.address.postalcode")).isEqualTo("20095");
        assertThat(row.get("vendor.id")).isEqualTo("HH-01");
        assertThat(row.get("vendor.vendorname")).isEqualTo("Autohaus Nord");
        assertThat(row.get("provider.name")).isEqualTo("Autoboerse");
        assertThat(row.get("prospect.requestdate")).isEqualTo("2026-11-02T08:00:00Z");
        assertThat(row.get("vehicle.year")).isEqualTo("2026");
    }

    @Test
    void phoneIsTheFirstVoiceLineWhateverItsTypeSpellingAndFaxIsSkipped() {
        String customer = "<customer><contact><phone type=\"fax\">089 99998105</phone><phone type=\"Mobile\">089 99998106</phone>"
                + "<phone type=\"home\">089 99998107</phone></contact></customer>";
        SourceRow row = read(adf(prospect("P-1", "2026-11-02T08:00:00Z", vehicle("buy", "new", "<make>Kia</make>"), customer))).get(0);

        assertThat(row.get("customer.contact.phone")).isEqualTo("089 99998106");
        assertThat(row.get("customer.contact.phone.fax")).isEqualTo("089 99998105");
        assertThat(row.get("customer.contact.phone.home")).isEqualTo("089 99998107");
    }

    @Test
    void cdataCommentsAreNeverExposed() {
        String customer = "<customer><contact><email>a@example.com</email></contact>"
                + "<comments><![CDATA[call Lena Berger on 089 99998106 <b>asap</b>]]></comments></customer>";
        SourceRow row = read(adf(prospect("P-1", "2026-11-02T08:00:00Z",
                vehicle("buy", "new", "<make>Kia</make><comments><![CDATA[wants a red one, ask for Lena]]></comments>"), customer))).get(0);

        assertThat(row.columns()).noneMatch(c -> c.contains("comments"));
        assertThat(row.columns()).allSatisfy(c -> assertThat(row.get(c)).doesNotContain("Lena"));
        assertThat(row.get("customer.contact.email")).isEqualTo("a@example.com");
    }

    @Test
    void doctypeIsRefusedNamingTheFile() {
        String xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE adf SYSTEM \"adf.dtd\">\n" + adf(prospect("P-1", "2026-11-02T08:00:00Z", vehicle("buy", "new", "<make>Kia</make>"), ""));

        assertThatThrownBy(() -> read(xml)).isInstanceOf(DataException.class)
                .hasMessage("leads.xml: DOCTYPE declarations are refused (line 2)");
    }

    @Test
    void billionLaughsIsRefusedBeforeAnyEntityIsExpanded() {
        StringBuilder dtd = new StringBuilder("<!DOCTYPE adf [\n<!ENTITY lol \"lol\">\n");
        dtd.append("<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n");
        for (int i = 2; i <= 9; i++) {
            dtd.append("<!ENTITY lol").append(i).append(" \"");
            dtd.append(("&lol" + (i - 1) + ";").repeat(10)).append("\">\n");
        }
        dtd.append("]>\n");
        String xml = dtd + "<adf><prospect><requestdate>&lol9;</requestdate><vehicle><make>Kia</make></vehicle></prospect></adf>";

        assertThatThrownBy(() -> read(xml)).isInstanceOf(DataException.class)
                .hasMessageContaining("DOCTYPE declarations are refused");
    }

    @Test
    void externalEntityIsNeverResolved(@TempDir Path dir) throws IOException {
        Path secret = dir.resolve("secret.txt");
        Files.writeString(secret, "TOPSECRET-PASSWORD");
        String xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE adf [ <!ENTITY xxe SYSTEM \"" + secret.toUri() + "\"> ]>\n"
                + "<adf><prospect><id>&xxe;</id><requestdate>2026-11-02T08:00:00Z</requestdate><vehicle><make>Kia</make></vehicle></prospect></adf>";

        assertThatThrownBy(() -> read(xml)).isInstanceOf(DataException.class)
                .hasMessageContaining("DOCTYPE declarations are refused")
                .hasMessageNotContaining("TOPSECRET");
    }

    @Test
    void undeclaredEntityWithoutDoctypeIsMalformedNotExpanded() {
        String xml = "<adf><prospect><id>&xxe;</id><requestdate>2026-11-02T08:00:00Z</requestdate><vehicle><make>Kia</make></vehicle></prospect></adf>";

        assertThatThrownBy(() -> read(xml)).isInstanceOf(DataException.class).hasMessageStartingWith("leads.xml: ");
    }

    @Test
    void malformedXmlFailsTheFileWithLineAndColumnButNoValue() {
        String xml = "<adf>\n" + prospect("P-1", "2026-11-02T08:00:00Z", vehicle("buy", "new", "<make>Kia</make>"), "")
                + "\n<prospect><id>P-2</id><customer><contact><email>secret.person@example.com</emial></contact></customer></prospect></adf>";

        try (RecordReader reader = factory.open(stream(xml), ADF, "leads.xml")) {
            assertThat(reader.hasNext()).isTrue();
            assertThat(reader.next().get("lead.ref")).isEqualTo("P-1/1");
            assertThatThrownBy(reader::hasNext).isInstanceOf(DataException.class)
                    .hasMessageMatching("leads\\.xml: malformed XML at line 3, column \\d+; the rest of the file cannot be read")
                    .hasMessageNotContaining("secret.person");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void everyTruncationOfASampleEitherReadsOrIsRefusedAsInputNeverAnotherFailure() throws IOException {
        byte[] sample = Files.readAllBytes(Path.of("samples/autoboerse/leads_2026-11-02.xml"));
        int complete = sample.length - "</adf>\n".length(); // every cut before this point leaves the root open
        for (int length = 0; length < complete; length += 23) {
            byte[] cut = java.util.Arrays.copyOf(sample, length);
            List<SourceRow> rows = new ArrayList<>();
            try (RecordReader reader = factory.open(new ByteArrayInputStream(cut), ADF, "cut.xml")) {
                reader.forEachRemaining(rows::add);
            } catch (DataException e) {
                assertThat(e.getMessage()).startsWith("cut.xml: ").doesNotContain("@example");
                continue;
            }
            throw new AssertionError("a document cut at byte " + length + " of " + sample.length + " was read as complete");
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L})
    void randomlyCorruptedSamplesYieldRowsOrARefusalNeverAnotherFailure(long seed) throws IOException {
        byte[] sample = Files.readAllBytes(Path.of("samples/autoboerse/leads_2026-11-03.xml"));
        java.util.Random random = new java.util.Random(seed);
        byte[] alphabet = "<>/&;=\"'![]?-x \n\u00e9".getBytes(StandardCharsets.UTF_8);
        for (int round = 0; round < 50; round++) {
            byte[] corrupt = sample.clone();
            for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) {
                corrupt[random.nextInt(corrupt.length)] = random.nextBoolean()
                        ? alphabet[random.nextInt(alphabet.length)] : (byte) random.nextInt(256);
            }
            try (RecordReader reader = factory.open(new ByteArrayInputStream(corrupt), ADF, "fuzz.xml")) {
                reader.forEachRemaining(row -> assertThat(row.number()).isPositive());
            } catch (DataException e) {
                assertThat(e.getMessage()).startsWith("fuzz.xml: ").doesNotContain("@example");
            }
        }
    }

    @Test
    void aRootOtherThanAdfIsRefused() {
        assertThatThrownBy(() -> read("<leads><prospect/></leads>")).isInstanceOf(DataException.class)
                .hasMessage("leads.xml: not an ADF document: the root element is not <adf>");
    }

    @Test
    void emptyAdfYieldsNoRows() {
        assertThat(read("<?ADF VERSION=\"1.0\"?><adf></adf>")).isEmpty();
    }

    @Test
    void readsLazilySoMemoryDoesNotGrowWithTheFile() throws IOException {
        // An endless document: reading the first rows must not need the rest of it.
        byte[] one = prospect("P", "2026-11-02T08:00:00Z", vehicle("buy", "new", "<make>Kia</make>"), "").getBytes(StandardCharsets.UTF_8);
        InputStream endless = new InputStream() {
            private final byte[] head = "<adf>".getBytes(StandardCharsets.UTF_8);
            private long position;

            @Override
            public int read() {
                long p = position++;
                return p < head.length ? head[(int) p] : one[(int) ((p - head.length) % one.length)];
            }
        };
        try (RecordReader reader = factory.open(endless, ADF, "endless.xml")) {
            for (int i = 1; i <= 1000; i++) {
                assertThat(reader.next().number()).isEqualTo(i);
            }
        }
    }

    @Test
    void withArrivalLeniencyAProspectWithoutRequestdateKeepsEveryLeadWithTheArrivalTimeAndAWarning() {
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<SourceRow> rows = read(adf(prospect("P-1", null,
                vehicle("buy", "new", "<make>Kia</make>") + vehicle("buy", "new", "<make>Seat</make>"), "")));

        assertThat(rows).hasSize(2).allSatisfy(r -> {
            assertThat(r.problem()).isNull();
            assertThat(Instant.parse(r.get("prospect.requestdate"))).isBetween(before, Instant.now());
            assertThat(r.warnings()).containsExactly(Issue.warning("prospect.requestdate", "missing: the file's arrival time is used"));
        });
    }

    @Test
    void withoutIdADerivedRefIsStableAcrossResendsDiffersByVehicleAndUsesNoPersonalValue() {
        String vehicles = vehicle("buy", "new", "<year>2026</year><make>Kia</make><model>EV3</model>")
                + vehicle("test-drive", "used", "<make>Seat</make>");
        String provider = "<vendor><id>HH-01</id></vendor><provider><name part=\"full\">Portal</name></provider>";
        String jane = "<customer><contact><email>jane@example.com</email><phone>040 123456</phone></contact></customer>";
        String john = "<customer><contact><email>john@example.com</email></contact></customer>";

        List<SourceRow> sent = read(adf(prospectWithoutId("2026-11-02T08:00:00+01:00", vehicles, jane + provider)));
        List<SourceRow> resent = read(adf(prospectWithoutId("2026-11-02T08:00:00+01:00", vehicles, jane + provider)));
        List<SourceRow> otherPerson = read(adf(prospectWithoutId("2026-11-02T08:00:00+01:00", vehicles, john + provider)));
        List<SourceRow> later = read(adf(prospectWithoutId("2026-11-02T08:00:01+01:00", vehicles, jane + provider)));

        assertThat(sent).extracting(r -> r.get("lead.ref")).allMatch(ref -> ref.matches("adf:[0-9a-f]{32}")).doesNotHaveDuplicates()
                .containsExactlyElementsOf(resent.stream().map(r -> r.get("lead.ref")).toList())
                .as("the customer's identifiers are not part of the key")
                .containsExactlyElementsOf(otherPerson.stream().map(r -> r.get("lead.ref")).toList())
                .doesNotContainAnyElementsOf(later.stream().map(r -> r.get("lead.ref")).toList());
        assertThat(sent).allSatisfy(r -> assertThat(r.warnings()).containsExactly(
                Issue.warning("prospect.id", "missing: lead id derived from provider, vendor, request date and vehicle")));
        assertThat(read(adf(prospectWithoutId("2026-11-02T08:00:00+01:00", vehicles, jane)), STRICT))
                .as("without the option there is no derived ref").allSatisfy(r -> assertThat(r.get("lead.ref")).isNull());
    }

    @Test
    void withoutIdOrRequestdateTheDerivedRefDoesNotDependOnTheArrivalTime() {
        String xml = adf(prospectWithoutId(null, vehicle("buy", "new", "<make>Kia</make>"), ""));
        AdfXmlReaderFactory.AdfReader first = new AdfXmlReaderFactory.AdfReader(stream(xml), 1000, "a.xml",
                AdfXmlReaderFactory.Leniency.of(ADF), Instant.parse("2026-11-02T08:00:00Z"));
        AdfXmlReaderFactory.AdfReader resent = new AdfXmlReaderFactory.AdfReader(stream(xml), 1000, "b.xml",
                AdfXmlReaderFactory.Leniency.of(ADF), Instant.parse("2026-11-03T08:00:00Z"));

        assertThat(first.next().get("lead.ref")).isEqualTo(resent.next().get("lead.ref"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"<?XML VERSION=\"1.0\"?>\n", "<?xml version=\u201c1.0\u201d encoding=\u201cUTF-8\u201d?>\n",
            "<?ADF VERSION \"1.0\"?>\n<?XML VERSION \u201c1.0\u201d?>\n", "<?adf version=\"1.0\"?>\n<?xml version=\"1.0\"?>\n",
            "\ufeff<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"})
    void recoverableDeclarationSlipsAndABomAreRepairedWithAWarningOnEveryRow(String prolog) {
        List<SourceRow> rows = read(prolog + "<adf>" + prospect("P-1", "2026-11-02T08:00:00Z",
                vehicle("buy", "new", "<make>Kia</make>") + vehicle("buy", "new", "<make>Seat</make>"), "") + "</adf>");

        assertThat(rows).hasSize(2).allSatisfy(r -> {
            assertThat(r.problem()).isNull();
            assertThat(r.warnings()).isNotEmpty().allSatisfy(w -> {
                assertThat(w.field()).isEqualTo("xml");
                assertThat(w.fatal()).isFalse();
                assertThat(w.reason()).isIn("XML declaration repaired (case, quotes or position)", "byte-order mark removed");
            });
        });
    }

    @Test
    void aWellFormedFileHasNoRepairWarnings() {
        assertThat(read(adf(prospect("P-1", "2026-11-02T08:00:00Z", vehicle("buy", "new", "<make>Kia</make>"), ""))))
                .singleElement().satisfies(r -> assertThat(r.warnings()).isEmpty());
    }

    @Test
    void aStrayAmpersandIsEscapedWithAWarningOnItsProspectWhileCharacterReferencesStay() {
        List<SourceRow> rows = read(adf(
                prospect("P-1", "2026-11-02T08:00:00Z", vehicle("buy", "new", "<make>Kia &amp; Co &#38; &#x26;</make>"), "")
                + prospect("P-2", "2026-11-02T08:00:00Z", vehicle("buy", "new", "<make>Smith & Sons</make>"), "")));

        assertThat(rows).extracting(r -> r.get("vehicle.make")).containsExactly("Kia & Co & &", "Smith & Sons");
        assertThat(rows.get(1).warnings()).containsExactly(Issue.warning("xml", "stray '&' escaped"));
    }

    @Test
    void repairsNeverLetADoctypeOrAnEntityThrough() {
        String doctype = "<?XML VERSION=\u201c1.0\u201d?>\n<!DOCTYPE adf [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]>\n"
                + "<adf><prospect><requestdate>2026-11-02T08:00:00Z</requestdate><vehicle><make>&xxe; & Co</make></vehicle></prospect></adf>";
        String entity = "\ufeff<adf><prospect><requestdate>2026-11-02T08:00:00Z</requestdate><vehicle><make>&xxe; & Co</make></vehicle></prospect></adf>";

        assertThatThrownBy(() -> read(doctype)).isInstanceOf(DataException.class).hasMessage("leads.xml: DOCTYPE declarations are refused (line 2)");
        assertThatThrownBy(() -> read(entity)).isInstanceOf(DataException.class).hasMessageStartingWith("leads.xml: ");
    }

    @Test
    void anHtmlErrorPageIsRefusedWithAReason() {
        String html = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>";
        String htmlWithEntity = "<!DOCTYPE html>\n<html><body>Service&nbsp;unavailable</body></html>";

        assertThatThrownBy(() -> read(html)).isInstanceOf(DataException.class)
                .hasMessage("leads.xml: not an ADF document: the root element is not <adf>");
        assertThatThrownBy(() -> read(htmlWithEntity)).isInstanceOf(DataException.class)
                .hasMessage("leads.xml: DOCTYPE declarations are refused (line 1)");
    }

    private List<SourceRow> read(String xml) {
        return read(xml, ADF);
    }

    private List<SourceRow> read(String xml, ConnectorDescriptor descriptor) {
        List<SourceRow> rows = new ArrayList<>();
        try (RecordReader reader = factory.open(stream(xml), descriptor, "leads.xml")) {
            reader.forEachRemaining(rows::add);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return rows;
    }

    private static InputStream stream(String xml) {
        return new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8));
    }

    static String adf(String prospects) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<?ADF VERSION=\"1.0\"?>\n<adf>" + prospects + "</adf>";
    }

    static String prospect(String id, String requestdate, String vehicles, String rest) {
        return "<prospect><id sequence=\"1\" source=\"test\">" + id + "</id>"
                + (requestdate == null ? "" : "<requestdate>" + requestdate + "</requestdate>") + vehicles + rest + "</prospect>";
    }

    static String prospectWithoutId(String requestdate, String vehicles, String rest) {
        return "<prospect>" + (requestdate == null ? "" : "<requestdate>" + requestdate + "</requestdate>") + vehicles + rest + "</prospect>";
    }

    private static ConnectorDescriptor withFormatRaw(ConnectorDescriptor d, JsonNode raw) {
        FormatSpec f = d.format();
        FormatSpec format = new FormatSpec(f.type(), f.charset(), f.delimiter(), f.quote(), f.header(), f.columns(), f.decimalSeparator(),
                f.datePatterns(), f.timestampPatterns(), f.zone(), f.records(), raw);
        return new ConnectorDescriptor(d.id(), d.title(), d.description(), d.partner(), d.dataClass(), d.table(), format, d.phoneRegion(),
                d.vinCheckDigit(), d.subjectOrder(), d.naturalKey(), d.fields(), d.constants(), d.vocabularies(), d.maxFileBytes(),
                d.maxFieldChars(), d.schedule(), d.source(), d.file(), d.phoneRegionColumns());
    }

    static String vehicle(String interest, String status, String content) {
        return "<vehicle interest=\"" + interest + "\" status=\"" + status + "\">" + content + "</vehicle>";
    }
}
