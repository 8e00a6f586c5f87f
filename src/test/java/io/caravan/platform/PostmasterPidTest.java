package io.caravan.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PostmasterPidTest {

    /** What PostgreSQL 16 writes once it is ready. */
    private static final String READY = """
            8507
            /srv/caravan/data/pg
            1796527637
            37235
            /tmp
            localhost
              2154607         4
            ready   \s
            """;

    @Test
    void readsProcessDataDirectoryAndPortOfAReadyServer() {
        assertThat(PostmasterPid.parse(READY))
                .contains(new PostmasterPid(8507, Path.of("/srv/caravan/data/pg"), 37235));
    }

    @Test
    void aFileWrittenOnlyInPartWhileTheServerStartedStillNamesItsProcess() {
        assertThat(PostmasterPid.parse("8507\n/srv/caravan/data/pg\n")).contains(
                new PostmasterPid(8507, Path.of("/srv/caravan/data/pg"), -1));
        assertThat(PostmasterPid.parse("8507")).contains(new PostmasterPid(8507, null, -1));
    }

    @Test
    void aSingleUserBackendIsNamedByItsNegatedProcessId() {
        assertThat(PostmasterPid.parse("-4242\n/srv/pg\n")).map(PostmasterPid::pid).contains(4242L);
    }

    @Test
    void aFileNamingNoProcessIsNotRead() {
        assertThat(PostmasterPid.parse("")).isEmpty();
        assertThat(PostmasterPid.parse("\n\n")).isEmpty();
        assertThat(PostmasterPid.parse("0\n/srv/pg\n")).isEmpty();
        assertThat(PostmasterPid.parse("not a pid\n")).isEmpty();
    }

    @Test
    void aPortThatIsNoPortIsLeftUnknown() {
        assertThat(PostmasterPid.parse("12\n/srv/pg\n1\n99999\n")).map(PostmasterPid::port).contains(-1);
        assertThat(PostmasterPid.parse("12\n/srv/pg\n1\nx\n")).map(PostmasterPid::port).contains(-1);
    }

    @Test
    void theDataDirectoryOfAPostgresCommandLineIsItsAbsoluteDashDArgument() {
        assertThat(OrphanPostgres.dataDirectoryArgument(new String[] {"-D", "/srv/pg", "-p", "5432"}))
                .contains(Path.of("/srv/pg"));
        assertThat(OrphanPostgres.dataDirectoryArgument(new String[] {"-p", "5432", "-D/srv/pg"}))
                .contains(Path.of("/srv/pg"));
        assertThat(OrphanPostgres.dataDirectoryArgument(new String[] {"-D", "relative/pg"})).isEmpty();
        assertThat(OrphanPostgres.dataDirectoryArgument(new String[] {"-p", "5432"})).isEmpty();
        assertThat(OrphanPostgres.dataDirectoryArgument(new String[] {"-D"})).isEmpty();
    }
}
