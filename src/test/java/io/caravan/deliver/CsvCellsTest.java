package io.caravan.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CsvCellsTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"=1+1", "=HYPERLINK(\"http://x.test\";\"click\")", "+4915112345678", "-2+3", "@SUM(A1:A2)",
            "\t=1", "\r=1", "=", "+", "-", "@"})
    void textCellsStartingLikeAFormulaArePrefixedWithAQuote(String value) {
        String cell = CsvCells.text(value);

        String unquoted = cell.startsWith("\"") ? cell.substring(1, cell.length() - 1).replace("\"\"", "\"") : cell;
        assertThat(unquoted).isEqualTo("'" + value);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Volkswagen", "ID.3", "a=b", "x+y", "mail@", " =leading space", "'quoted"})
    void ordinaryTextIsLeftAlone(String value) {
        assertThat(CsvCells.text(value)).isEqualTo(value);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "a,b|`\"a,b\"`",
            "say \"hi\"|`\"say \"\"hi\"\"\"`",
            "=a,b|`\"'=a,b\"`"})
    void cellsWithSeparatorsQuotesOrLineBreaksAreQuoted(String value, String expected) {
        assertThat(CsvCells.text(value)).isEqualTo(expected);
    }

    @Test
    void cellsWithLineBreaksAreQuoted() {
        assertThat(CsvCells.text("line\nbreak")).isEqualTo("\"line\nbreak\"");
        assertThat(CsvCells.text("line\r\nbreak")).isEqualTo("\"line\r\nbreak\"");
    }

    @Test
    void numbersAreNotTextAndKeepTheirSign() {
        assertThat(CsvCells.plain("-12.50")).isEqualTo("-12.50");
    }

    @Test
    void nullIsTheEmptyCell() {
        assertThat(CsvCells.text(null)).isEmpty();
        assertThat(CsvCells.plain(null)).isEmpty();
    }
}
