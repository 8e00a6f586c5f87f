package io.caravan.harmonise;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.connector.ConnectorDescriptor;
import io.caravan.connector.ConnectorRegistry;
import io.caravan.ingest.CsvReaderFactory;
import io.caravan.pipeline.BatchContext;
import io.caravan.pipeline.Issue;
import io.caravan.pipeline.Row;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PrePassTest {
    private static final ConnectorRegistry REGISTRY = new ConnectorRegistry(Path.of("connectors"),
            Path.of("config/vocabularies.yaml"), Set.of("csv", "fixed-width", "adf-xml", "json"));
    private static final ConnectorDescriptor NORD = REGISTRY.get("dealer-nord-sales");
    private static final Path SAMPLE = Path.of("samples/dealer-nord/verkaeufe_2026-10.csv");

    private final AtomicInteger opened = new AtomicInteger();
    private final AtomicInteger closed = new AtomicInteger();
    private final BatchContext batch = new BatchContext("b-20261206-000000-00000000", "dealer-nord-sales", NORD.id(),
            NORD.partner(), NORD.dataClass(), "verkaeufe_2026-10.csv", Instant.parse("2026-12-06T06:00:00Z"));

    @Test
    void countsTheSampleAsTheRealRunWillJudgeIt() {
        FileProfile profile = prePass().run(Set.of("sale_date"), LocalDate.of(2021, 12, 6), LocalDate.of(2026, 12, 7));

        assertThat(profile.rows()).isEqualTo(40);
        assertThat(profile.unreadable()).isEqualTo(1);
        assertThat(profile.rejected()).isEqualTo(5);
        assertThat(profile.readable()).isEqualTo(39);
        assertThat(profile.requiredMissing()).isEqualTo(Map.of("sale_id", 1L));
        assertThat(profile.vinsPresent()).isEqualTo(39);
        assertThat(profile.vinsInvalid()).isEqualTo(1);
        assertThat(profile.dates().get("sale_date")).isEqualTo(new FileProfile.DateCounts(38, 0, 0));
        assertThat(profile.columns()).hasSize(22).startsWith("Verkaufsnr", "Filiale", "Verkaufsdatum").endsWith("Bemerkung");
    }

    @Test
    void datesOutsideTheWindowAreCountedTooOldOrFuture() {
        FileProfile early = prePass().run(Set.of("sale_date"), LocalDate.of(2026, 11, 1), LocalDate.of(2026, 12, 31));
        FileProfile late = prePass().run(Set.of("sale_date"), LocalDate.of(2020, 1, 1), LocalDate.of(2026, 9, 30));
        assertThat(early.dates().get("sale_date")).isEqualTo(new FileProfile.DateCounts(38, 38, 0));
        assertThat(late.dates().get("sale_date")).isEqualTo(new FileProfile.DateCounts(38, 0, 38));
    }

    @Test
    void readsItsOwnStreamOnceClosesItAndLeavesTheRealBatchUntouched() {
        PrePass pass = prePass();
        pass.run(Set.of(), LocalDate.MIN, LocalDate.MAX);
        assertThat(opened).hasValue(1);
        assertThat(closed).hasValue(1);
        assertThat(batch.unmappedColumns()).isEmpty();
        assertThat(pass.unmappedColumns()).containsExactly("Filiale", "Ort", "Verkäufer");
        assertThat(batch.counters()).isEmpty();
    }

    @Test
    void theProfileJudgesEveryRowAsTheRealRunButLeavesOptionalIdentifiersUnparsed() throws IOException {
        Harmoniser harmoniser = new Harmoniser(NORD);
        var real = harmoniser.forBatch(batch);
        var profile = harmoniser.forProfile(batch);
        int rows = 0;
        int phonesSkipped = 0;
        try (var a = new CsvReaderFactory().open(Files.newInputStream(SAMPLE), NORD, "a.csv");
             var b = new CsvReaderFactory().open(Files.newInputStream(SAMPLE), NORD, "b.csv")) {
            while (a.hasNext()) {
                Row judged = real.apply(a.next());
                Row profiled = profile.apply(b.next());
                rows++;
                assertThat(profiled.disposition()).as("row %d", judged.number()).isEqualTo(judged.disposition());
                assertThat(profiled.issues().stream().filter(Issue::fatal).toList()).as("row %d", judged.number())
                        .isEqualTo(judged.issues().stream().filter(Issue::fatal).toList());
                for (String field : List.of("sale_id", "sale_date", "vin", "price_amount", "birth_date")) {
                    assertThat(profiled.get(field)).as("row %d %s", judged.number(), field).isEqualTo(judged.get(field));
                }
                assertThat(profiled.get("phone")).isNull();
                assertThat(profiled.get("email")).isNull();
                if (judged.get("phone") != null) {
                    phonesSkipped++;
                }
            }
            assertThat(b.hasNext()).isFalse();
        }
        assertThat(rows).isEqualTo(40);
        assertThat(phonesSkipped).as("the sample has phones the profile need not parse").isPositive();
    }

    private PrePass prePass() {
        return new PrePass(NORD, new CsvReaderFactory(), new Harmoniser(NORD), batch, () -> {
            opened.incrementAndGet();
            try {
                return new FilterInputStream(Files.newInputStream(SAMPLE)) {
                    @Override
                    public void close() throws IOException {
                        closed.incrementAndGet();
                        super.close();
                    }
                };
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
