package io.caravan.harmonise;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Issue #14: timestamps as lead providers garble them are repaired to ISO-8601; anything else is left to be rejected. */
class TimestampRepairTest {

    @ParameterizedTest
    @CsvSource({
            "2000-03-30T15:30:20-08:0, 2000-03-30T15:30:20-08:00",
            "2024-05-14T8:05:00-05:00, 2024-05-14T08:05:00-05:00",
            "2026-11-02T8:5, 2026-11-02T08:05",
            "2026-11-2 08:05:00+0100, 2026-11-02T08:05:00+01:00",
            "2026-11-02T08:05:00-8, 2026-11-02T08:05:00-08:00",
            "2026-11-02T08:05:00.5 +01:00, 2026-11-02T08:05:00.5+01:00"})
    void garbledIsoTimestampsArePaddedToTwoDigitsAndAnOffsetIsWrittenHoursColonMinutes(String raw, String repaired) {
        assertThat(Harmoniser.repairedTimestamp(raw)).isEqualTo(repaired);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-02T08:05:00+01:00", "02.11.2026 kurz nach 13 Uhr", "2026-11-02", "yesterday", "2026-11-02T08"})
    void wellFormedOrUnrecognisableTimestampsAreNotRepaired(String raw) {
        assertThat(Harmoniser.repairedTimestamp(raw)).isNull();
    }
}
