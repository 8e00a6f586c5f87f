package io.caravan.gate;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.connector.ConnectorDescriptor;
import io.caravan.connector.ConnectorRegistry;
import io.caravan.harmonise.FileProfile;
import io.caravan.ledger.QuarantineReason;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GateEvaluatorTest {
    private static final ConnectorRegistry REGISTRY = new ConnectorRegistry(Path.of("connectors"),
            Path.of("config/vocabularies.yaml"), Set.of("csv", "fixed-width", "adf-xml", "json"));
    private static final ConnectorDescriptor NORD = REGISTRY.get("dealer-nord-sales");
    private static final List<String> HEADER = List.of("Verkaufsnr", "Filiale", "Verkaufsdatum", "Marke", "Modell",
            "Modelljahr", "Kraftstoff", "Zustand", "Preis", "Währung", "Finanziert", "FIN", "Vorname", "Nachname", "Straße",
            "PLZ", "Ort", "E-Mail", "Telefon", "Geburtsdatum", "Verkäufer", "Bemerkung");
    private static final String WINDOW = "the window 2021-12-06 to 2026-12-07";

    @Test
    void aNormalDeliveryPassesEveryGate() {
        assertThat(evaluate(profile(HEADER, 40), new GateEvaluator.History(HEADER, List.of(38L, 41L, 40L, 45L)))).isEmpty();
    }

    @Test
    void aRenamedColumnIsNamedWithItsNewNameAndPosition() {
        List<String> renamed = HEADER.stream().map(c -> c.equals("Verkaufsnr") ? "Belegnummer" : c).toList();
        List<QuarantineReason> reasons = evaluate(profile(renamed, 40), new GateEvaluator.History(HEADER, List.of()));
        assertThat(reasons).singleElement().satisfies(r -> {
            assertThat(r.gate()).isEqualTo("columns");
            assertThat(r.columns()).containsExactly("Verkaufsnr", "Belegnummer");
            assertThat(r.detail()).isEqualTo("column renamed: Verkaufsnr → Belegnummer (position 1) against the previous accepted delivery");
        });
    }

    @Test
    void aRemovedMappedColumnQuarantinesAndAnAddedUnmappedOneIsAllowedByDefault() {
        List<String> fewer = HEADER.stream().filter(c -> !c.equals("Bemerkung")).toList();
        assertThat(evaluate(profile(fewer, 40), new GateEvaluator.History(HEADER, List.of())))
                .extracting(QuarantineReason::columns).containsExactly(List.of("Bemerkung"));
        List<String> more = new java.util.ArrayList<>(HEADER);
        more.add("Lackfarbe");
        assertThat(evaluate(profile(more, 40), new GateEvaluator.History(HEADER, List.of()))).isEmpty();
    }

    @Test
    void aRenameTheDescriptorWasChangedForIsNoDrift() {
        List<String> before = HEADER.stream().map(c -> c.equals("Verkaufsnr") ? "Belegnr" : c).toList();
        assertThat(evaluate(profile(HEADER, 40), new GateEvaluator.History(before, List.of()))).isEmpty();
    }

    @Test
    void aFileWithoutRowsShowsNoColumnsAndIsNotJudgedForDrift() {
        assertThat(evaluate(profile(List.of(), 0), new GateEvaluator.History(HEADER, List.of()))).isEmpty();
    }

    @Test
    void aNinetyPercentVolumeDropQuarantinesWithTheMeasuredChange() {
        List<QuarantineReason> reasons = evaluate(profile(HEADER, 4), new GateEvaluator.History(HEADER, List.of(40L, 38L, 45L, 41L)));
        assertThat(reasons).singleElement().satisfies(r -> {
            assertThat(r.gate()).isEqualTo("volume");
            assertThat(r.measured()).isEqualTo(-90.1);
            assertThat(r.limit()).isEqualTo(50.0);
            assertThat(r.detail()).isEqualTo("4 rows, 90.1% below the median of 40.5 rows of the last 4 completed deliveries (tolerance ±50%)");
        });
    }

    @Test
    void volumeOfTinyDeliveriesIsNotJudged() {
        assertThat(evaluate(profile(HEADER, 3), new GateEvaluator.History(HEADER, List.of(4L, 0L, 0L, 3L)))).isEmpty();
        assertThat(evaluate(profile(HEADER, 3), new GateEvaluator.History(HEADER, List.of(20L, 20L, 20L))))
                .extracting(QuarantineReason::gate).containsExactly("volume");
    }

    @Test
    void volumeIsNotJudgedWithoutTheMinimumHistory() {
        assertThat(evaluate(profile(HEADER, 4), new GateEvaluator.History(HEADER, List.of(40L, 40L)))).isEmpty();
    }

    @Test
    void rateGatesNameTheFieldAndTheFigures() {
        FileProfile bad = new FileProfile(HEADER, 100, 2, 30, Map.of("sale_id", 12L), 98, 20,
                Map.of("sale_date", new FileProfile.DateCounts(98, 0, 3)));
        List<QuarantineReason> reasons = evaluate(bad, new GateEvaluator.History(HEADER, List.of()));
        assertThat(reasons).extracting(QuarantineReason::gate)
                .containsExactly("rejection_rate", "required_nulls", "vin_validity", "dates");
        assertThat(reasons).extracting(QuarantineReason::detail).containsExactly(
                "30 of 100 rows (30%) would be rejected (limit 20%)",
                "required field sale_id (column Verkaufsnr) is empty in 12 of 98 rows (12.2%, limit 10%)",
                "78 of 98 VINs (79.6%) are valid (minimum 90%)",
                "sale_date: 3 of 98 dates (3.1%) outside " + WINDOW + ": 0 too old, 3 in the future (limit 0%)");
    }

    @Test
    void rateGatesDoNotJudgeFilesBelowTheMinimumRows() {
        FileProfile small = new FileProfile(HEADER, 5, 0, 5, Map.of("sale_id", 5L), 5, 5,
                Map.of("sale_date", new FileProfile.DateCounts(5, 5, 0)));
        assertThat(evaluate(small, new GateEvaluator.History(null, List.of()))).isEmpty();
    }

    @Test
    void theDateGateChecksEveryRequiredDateFieldByDefault() {
        assertThat(GateEvaluator.dateFields(NORD)).containsExactly("sale_date");
    }

    @Test
    void theMedianOfAnEvenHistoryIsTheMeanOfTheMiddleTwo() {
        assertThat(GateEvaluator.median(List.of(10L, 40L, 20L, 30L))).isEqualTo(25.0);
        assertThat(GateEvaluator.median(List.of(10L, 40L, 20L))).isEqualTo(20.0);
    }

    private static List<QuarantineReason> evaluate(FileProfile profile, GateEvaluator.History history) {
        return GateEvaluator.evaluate(NORD, profile, history, WINDOW);
    }

    private static FileProfile profile(List<String> columns, long rows) {
        return new FileProfile(columns, rows, 0, 0, Map.of(), rows, 0, Map.of("sale_date", new FileProfile.DateCounts(rows, 0, 0)));
    }
}
