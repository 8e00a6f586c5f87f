package io.caravan.deliver;

import io.caravan.connector.ColumnType;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.pipeline.Issue;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.Test;

class CopyTextTest {

    private static String encoded(ColumnType type, Object value) {
        StringBuilder out = new StringBuilder();
        assertThat(CopyText.append(out, "col", type, value)).isNull();
        return out.toString();
    }

    @Test
    void escapesTheCharactersThatStructureTheCopyStream() {
        assertThat(encoded(ColumnType.TEXT, "a\tb\nc\rd\\e")).isEqualTo("a\\tb\\nc\\rd\\\\e");
    }

    @Test
    void writesNullAsBackslashNAndTheTextBackslashNEscaped() {
        assertThat(encoded(ColumnType.TEXT, null)).isEqualTo("\\N");
        assertThat(encoded(ColumnType.INT, null)).isEqualTo("\\N");
        assertThat(encoded(ColumnType.TEXT, "\\N")).isEqualTo("\\\\N");
        assertThat(encoded(ColumnType.TEXT, "")).isEmpty();
    }

    @Test
    void writesDatesTimestampsNumbersAndBooleansInFormsPostgresReadsBack() {
        assertThat(encoded(ColumnType.DATE, LocalDate.of(2026, 3, 1))).isEqualTo("2026-03-01");
        assertThat(encoded(ColumnType.TIMESTAMPTZ, OffsetDateTime.parse("2026-03-01T10:15+01:00")))
                .isEqualTo("2026-03-01T10:15:00+01:00");
        assertThat(encoded(ColumnType.TIMESTAMPTZ, Instant.parse("2026-03-01T10:15:30.5Z")))
                .isEqualTo("2026-03-01T10:15:30.5Z");
        assertThat(encoded(ColumnType.NUMERIC, new BigDecimal("1E+3"))).isEqualTo("1000");
        assertThat(encoded(ColumnType.INT, 7L)).isEqualTo("7");
        assertThat(encoded(ColumnType.BIGINT, 7)).isEqualTo("7");
        assertThat(encoded(ColumnType.BOOLEAN, false)).isEqualTo("f");
    }

    @Test
    void aNulCharacterRejectsTheValueAndLeavesTheBufferAsItWas() {
        StringBuilder out = new StringBuilder("before\t");

        Issue issue = CopyText.append(out, "model", ColumnType.TEXT, "Go\0lf");

        assertThat(issue).isEqualTo(Issue.rejection("model", "contains a NUL character, which the warehouse cannot store"));
        assertThat(out).hasToString("before\t");
    }

    @Test
    void aLongBeyondIntRangeIsADataErrorForAnIntColumn() {
        Issue issue = CopyText.append(new StringBuilder(), "model_year", ColumnType.INT, 1L << 40);

        assertThat(issue.fatal()).isTrue();
        assertThat(issue.field()).isEqualTo("model_year");
    }

    @Test
    void aJavaTypeThatDoesNotFitTheColumnIsAProgrammingErrorNamingTypesNotTheValue() {
        assertThatThrownBy(() -> CopyText.append(new StringBuilder(), "price_amount", ColumnType.NUMERIC, 1234.5d))
                .isInstanceOf(WriterDefect.class)
                .hasMessageContaining("'price_amount'").hasMessageContaining("java.lang.Double")
                .hasMessageNotContaining("1234");
        assertThatThrownBy(() -> CopyText.append(new StringBuilder(), "sale_date", ColumnType.DATE, "2026-01-01"))
                .isInstanceOf(WriterDefect.class).hasMessageNotContaining("2026");
    }
}
