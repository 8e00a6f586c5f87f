package io.caravan.harmonise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.connector.ConnectorRegistry;
import io.caravan.error.DataException;
import io.caravan.ingest.CsvReaderFactory;
import io.caravan.pipeline.RecordBatch;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

/** The no-write pass over a source: ledger counts, sample, issues and the limits, without a database. */
class DryRunTest {
    private static final ConnectorRegistry REGISTRY =
            new ConnectorRegistry(Path.of("connectors"), Path.of("config/vocabularies.yaml"), Set.of("csv", "fixed-width", "adf-xml", "json"));
    private static final DryRun DRY_RUN = new DryRun(REGISTRY, List.of(new CsvReaderFactory()));
    private static final DryRun.Limits LIMITS = new DryRun.Limits(1 << 20, 1000, 5, 100);
    private static final Path NORD = Path.of("samples/dealer-nord/verkaeufe_2026-10.csv");

    @Test
    void countsEveryRowOnceAsTheWriterWouldAndNamesRejectionsByRowAndField() throws IOException {
        DryRun.Outcome outcome = DRY_RUN.run("dealer-nord-sales", Files.newInputStream(NORD), "nord.csv", LIMITS,
                UnaryOperator.identity());

        assertThat(outcome.counts().rowsIn()).isEqualTo(40);
        assertThat(outcome.counts().rejected()).isEqualTo(5);
        assertThat(outcome.counts().duplicate()).isEqualTo(1);
        assertThat(outcome.counts().delivered()).isEqualTo(34);
        assertThat(outcome.recordKeys()).hasSize(34);
        assertThat(outcome.rejections()).hasSize(5).allSatisfy(r -> assertThat(r.field()).isNotBlank());
        assertThat(outcome.sample()).hasSize(5);
        assertThat(outcome.unmappedColumns()).contains("Filiale");
        assertThat(outcome.table()).isEqualTo("sale");
    }

    @Test
    void sampleNeverShowsAPersonalFieldsValue() throws IOException {
        String text = Files.readString(NORD, Charset.forName("ISO-8859-1"));
        DryRun.Outcome outcome = DRY_RUN.run("dealer-nord-sales", new ByteArrayInputStream(text.getBytes(Charset.forName("ISO-8859-1"))),
                "nord.csv", LIMITS, UnaryOperator.identity());

        DryRun.SampleRow first = outcome.sample().get(0);
        assertThat(first.fields()).containsEntry("email", DryRun.HIDDEN).containsEntry("vin", DryRun.HIDDEN)
                .containsEntry("first_name", DryRun.HIDDEN).containsEntry("model", "Golf");
        assertThat(outcome.sample().toString()).doesNotContain("sophie.vogt1@example.com").doesNotContain("WVWZZZJK58FJAZB81");
    }

    @Test
    void stagesRunOnTheHarmonisedBatchLikeARoutesSteps() throws IOException {
        DryRun.Outcome outcome = DRY_RUN.run("dealer-nord-sales", Files.newInputStream(NORD), "nord.csv", LIMITS,
                batch -> batch.map(row -> row.dispose(io.caravan.pipeline.Disposition.CONSENT_FILTERED)));

        assertThat(outcome.counts().consentFiltered()).isEqualTo(35);
        assertThat(outcome.counts().delivered()).isZero();
        assertThat(outcome.counts().rowsIn()).isEqualTo(40);
    }

    @Test
    void refusesASourceOverItsByteLimitAndClosesIt() {
        AtomicBoolean closed = new AtomicBoolean();
        InputStream endless = new InputStream() {
            @Override public int read() { return 'a'; }
            @Override public void close() { closed.set(true); }
        };
        assertThatThrownBy(() -> DRY_RUN.run("dealer-nord-sales", endless, "long.csv", new DryRun.Limits(4096, 1000, 5, 5),
                UnaryOperator.identity()))
                .isInstanceOf(DataException.class).hasMessage("long.csv: over the limit of 4096 bytes");
        assertThat(closed).isTrue();
    }

    @Test
    void refusesTooManyColumnsAndArchives() throws IOException {
        String wide = String.join(";", java.util.stream.IntStream.range(0, 2000).mapToObj(i -> "c" + i).toList()) + "\n"
                + ";".repeat(1999) + "\n";
        assertThatThrownBy(() -> run("dealer-nord-sales", wide.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(DataException.class).hasMessageContaining("2000 columns, over the limit of 1000");

        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(zip)) {
            out.putNextEntry(new ZipEntry("bomb.csv"));
            out.write(new byte[1 << 20]);
        }
        assertThatThrownBy(() -> run("dealer-nord-sales", zip.toByteArray()))
                .isInstanceOf(DataException.class).hasMessageContaining("compressed archive (zip) is refused");
    }

    @Test
    void anUnknownConnectorIsAnArgumentError() {
        assertThatThrownBy(() -> run("no-such", new byte[] {'a'})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no-such");
    }

    private static DryRun.Outcome run(String connector, byte[] bytes) {
        return DRY_RUN.run(connector, new ByteArrayInputStream(bytes), "sample", LIMITS, UnaryOperator.<RecordBatch>identity());
    }
}
