package io.caravan.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UploadCompletionTest {

    @ParameterizedTest
    @ValueSource(strings = {"sales.csv.part", "sales.csv.PART", "sales.tmp", "sales.csv.filepart", ".sales.csv", ".in.progress"})
    void temporaryNamesAreRecognised(String name) {
        assertThat(UploadCompletion.isTemporary(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sales.csv", "leads.adf.xml", "part.csv", "tmp-export.json", "sales.csv.gz"})
    void finalNamesAreNotTemporary(String name) {
        assertThat(UploadCompletion.isTemporary(name)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sales.csv.ready", "x.READY"})
    void markerNamesAreReserved(String name) {
        assertThat(UploadCompletion.isReserved(name)).isTrue();
    }
}
