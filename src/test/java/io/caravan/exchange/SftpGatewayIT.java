package io.caravan.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The gateway against the real OpenSSH {@code sftp} client in batch mode, with key authentication. */
class SftpGatewayIT {

    private static final String SECRET = "vin;owner\nWVWZZZ1JZXW000001;Erika Mustermann\n";

    @TempDir
    static Path dir;

    private static GatewayFixture fixture;
    private static Path local;

    @BeforeAll
    static void startGateway() throws IOException {
        fixture = new GatewayFixture(dir, GatewayFixture.twoDealers());
        local = dir.resolve("local");
        Files.createDirectories(local);
        Files.writeString(local.resolve("sales.csv"), "vin;price\nWVWZZZ1JZXW000001;21990\n");
        Files.writeString(fixture.home("dealer-sued").resolve("outbox/export.csv"), SECRET);
        Files.writeString(fixture.home("dealer-sued").resolve("inbox/pending.csv"), SECRET);
        Files.writeString(dir.resolve("data/outside.txt"), SECRET);
        // planted by someone on the server, not by a partner: the jail must not follow it
        Files.createSymbolicLink(fixture.home("dealer-nord").resolve("outbox/escape"), fixture.home("dealer-sued"));
    }

    @AfterAll
    static void stopGateway() {
        fixture.close();
    }

    @BeforeEach
    void emptyNordInbox() throws IOException {
        Files.deleteIfExists(local.resolve("stolen"));
        try (Stream<Path> files = Files.list(fixture.home("dealer-nord").resolve("inbox"))) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.delete(p);
            }
        }
    }

    @Test
    void uploadLandsInInboxOwnerOnlyAndIsMarkedCompleteOnClose() throws IOException {
        fixture.sftp("dealer-nord", "put local/sales.csv inbox/sales.csv").succeeded();

        Path uploaded = fixture.home("dealer-nord").resolve("inbox/sales.csv");
        assertThat(uploaded).hasSameBinaryContentAs(local.resolve("sales.csv"));
        assertThat(uploaded.resolveSibling("sales.csv.ready")).exists().isEmptyFile();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(uploaded))).isEqualTo("rw-------");
    }

    @Test
    void uploadUnderTemporaryNameIsMarkedCompleteOnlyWhenRenamed() {
        Path inbox = fixture.home("dealer-nord").resolve("inbox");
        fixture.sftp("dealer-nord", "put local/sales.csv inbox/sales.csv.part").succeeded();
        assertThat(inbox.resolve("sales.csv.part")).exists();
        assertThat(inbox.resolve("sales.csv.part.ready")).doesNotExist();
        assertThat(inbox.resolve("sales.csv.ready")).doesNotExist();

        fixture.sftp("dealer-nord", "rename inbox/sales.csv.part inbox/sales.csv").succeeded();

        assertThat(inbox.resolve("sales.csv")).hasSameBinaryContentAs(local.resolve("sales.csv"));
        assertThat(inbox.resolve("sales.csv.ready")).exists();
    }

    @Test
    void completeFileIsFrozenUntilTheRouteHasConsumedIt() throws IOException {
        Path inbox = fixture.home("dealer-nord").resolve("inbox");
        fixture.sftp("dealer-nord", "put local/sales.csv inbox/sales.csv").succeeded();

        fixture.sftp("dealer-nord", "put local/sales.csv inbox/sales.csv").failed();
        fixture.sftp("dealer-nord", "rm inbox/sales.csv").failed();
        fixture.sftp("dealer-nord", "rename inbox/sales.csv inbox/other.csv").failed();
        fixture.sftp("dealer-nord", "rm inbox/sales.csv.ready").failed();
        assertThat(inbox.resolve("sales.csv.ready")).exists();

        Files.delete(inbox.resolve("sales.csv.ready")); // what Camel does on commit
        Files.move(inbox.resolve("sales.csv"), dir.resolve("consumed.csv"));
        fixture.sftp("dealer-nord", "put local/sales.csv inbox/sales.csv").succeeded();
        assertThat(inbox.resolve("sales.csv.ready")).exists();
    }

    @Test
    void connectionDroppedMidUploadLeavesTheFileIncomplete() throws IOException {
        Path partial = fixture.home("dealer-nord").resolve("inbox/big.csv");
        try (ClientSession session = fixture.login("dealer-nord", fixture.demoKeyPair("dealer-nord"), "127.0.0.1")) {
            SftpClient sftp = SftpClientFactory.instance().createSftpClient(session);
            SftpClient.CloseableHandle handle = sftp.open("inbox/big.csv", SftpClient.OpenMode.Write,
                    SftpClient.OpenMode.Create, SftpClient.OpenMode.Truncate);
            sftp.write(handle, 0, "vin;price\n".getBytes(StandardCharsets.UTF_8));
            assertThat(partial).exists();
            session.close(true); // no SSH_FXP_CLOSE
        }

        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                .until(() -> !Files.exists(partial.resolveSibling("big.csv.ready")));
        fixture.sftp("dealer-nord", "put local/sales.csv inbox/big.csv").succeeded();
        assertThat(partial.resolveSibling("big.csv.ready")).exists();
    }

    @Test
    void partnerDownloadsFromItsOutbox() throws IOException {
        Path ack = fixture.home("dealer-nord").resolve("outbox/sales.csv.ack.json");
        Files.writeString(ack, "{\"status\":\"completed\",\"rows_in\":1}");

        fixture.sftp("dealer-nord", "get outbox/sales.csv.ack.json local/ack.json").succeeded();

        assertThat(local.resolve("ack.json")).hasSameBinaryContentAs(ack);
    }

    @Test
    void listingLeavesOutAPlantedLinkThatLeadsOutOfTheRoot() {
        String output = fixture.sftp("dealer-nord", "ls -1 outbox").succeeded().output();

        assertThat(output).doesNotContain("escape");
    }

    @Test
    void listingTheRootShowsOnlyThePartnersOwnFolders() {
        for (String listing : List.of("ls -1 /", "ls -1 /..", "ls -1 ../..", "ls -1 /../../..")) {
            String output = fixture.sftp("dealer-nord", listing).succeeded().output();
            assertThat(output).as(listing).contains("inbox", "outbox")
                    .doesNotContain("dealer-sued").doesNotContain("outside.txt").doesNotContain("sftp-host");
        }
    }

    static Stream<Arguments> escapeAttempts() {
        return Stream.of(
                Arguments.of("get via ..", List.of("get ../dealer-sued/outbox/export.csv local/stolen")),
                Arguments.of("get via absolute ..", List.of("get /../dealer-sued/outbox/export.csv local/stolen")),
                Arguments.of("get via inbox/../..", List.of("get inbox/../../dealer-sued/inbox/pending.csv local/stolen")),
                Arguments.of("get via encoded ..", List.of("get %2e%2e/dealer-sued/outbox/export.csv local/stolen")),
                Arguments.of("get outside the sftp root", List.of("get ../../outside.txt local/stolen")),
                Arguments.of("cd .. then get", List.of("cd ..", "cd ..", "get dealer-sued/outbox/export.csv local/stolen")),
                Arguments.of("cd into other partner", List.of("cd ../dealer-sued")),
                Arguments.of("ls other partner", List.of("ls ../dealer-sued/inbox")),
                Arguments.of("get through planted symlink", List.of("get outbox/escape/outbox/export.csv local/stolen")),
                Arguments.of("ls through planted symlink", List.of("ls outbox/escape/inbox")),
                Arguments.of("put through planted symlink", List.of("put local/sales.csv outbox/escape/inbox/x.csv")),
                Arguments.of("put via ..", List.of("put local/sales.csv ../dealer-sued/inbox/x.csv")),
                Arguments.of("put via absolute ..", List.of("put local/sales.csv /../dealer-sued/inbox/x.csv")),
                Arguments.of("overwrite other partner's file", List.of("put local/sales.csv ../dealer-sued/inbox/pending.csv")),
                Arguments.of("put into outbox", List.of("put local/sales.csv outbox/x.csv")),
                Arguments.of("put into root", List.of("put local/sales.csv /x.csv")),
                Arguments.of("put a done marker", List.of("put local/sales.csv inbox/forged.csv.ready")),
                Arguments.of("symlink to other partner", List.of("symlink ../dealer-sued/outbox/export.csv inbox/link.csv")),
                Arguments.of("symlink inside own root", List.of("symlink outbox inbox/link")),
                Arguments.of("hard link", List.of("put local/sales.csv inbox/a.tmp", "ln inbox/a.tmp inbox/b.csv")),
                Arguments.of("rename across roots", List.of("put local/sales.csv inbox/a.tmp", "rename inbox/a.tmp ../dealer-sued/inbox/a.csv")),
                Arguments.of("rename other partner's file in", List.of("rename ../dealer-sued/inbox/pending.csv inbox/pending.csv")),
                Arguments.of("rename into outbox", List.of("put local/sales.csv inbox/a.tmp", "rename inbox/a.tmp outbox/a.csv")),
                Arguments.of("rename inbox away", List.of("rename inbox inbox2")),
                Arguments.of("remove from outbox", List.of("rm outbox/keep.json")),
                Arguments.of("mkdir", List.of("mkdir inbox/sub")),
                Arguments.of("rmdir outbox", List.of("rmdir outbox")),
                Arguments.of("chmod", List.of("put local/sales.csv inbox/a.tmp", "chmod 666 inbox/a.tmp")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("escapeAttempts")
    void escapeAttemptFailsAndLeavesOtherTreesByteIdentical(String attempt, List<String> commands) throws IOException {
        Files.writeString(fixture.home("dealer-nord").resolve("outbox/keep.json"), "{}");
        Map<String, String> sued = GatewayFixture.hashTree(fixture.home("dealer-sued"));
        Map<String, String> nordOutbox = GatewayFixture.hashTree(fixture.home("dealer-nord").resolve("outbox"));
        String outside = GatewayFixture.sha256(Files.readAllBytes(dir.resolve("data/outside.txt")));

        fixture.sftp("dealer-nord", commands.toArray(String[]::new)).failed();

        assertThat(GatewayFixture.hashTree(fixture.home("dealer-sued"))).isEqualTo(sued);
        assertThat(GatewayFixture.hashTree(fixture.home("dealer-nord").resolve("outbox"))).isEqualTo(nordOutbox);
        assertThat(GatewayFixture.sha256(Files.readAllBytes(dir.resolve("data/outside.txt")))).isEqualTo(outside);
        assertThat(local.resolve("stolen")).doesNotExist();
        assertThat(fixture.home("dealer-nord").resolve("inbox/forged.csv.ready")).doesNotExist();
        assertThat(fixture.home("dealer-nord").resolve("inbox/link.csv")).doesNotExist();
        assertThat(fixture.home("dealer-nord").resolve("inbox/link")).doesNotExist();
    }

    @Test
    void demoKeysAreOwnerOnlyOpenSshFilesAndPublishedToLocalEnv() throws IOException {
        Path key = fixture.demoKey("dealer-sued");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key.getParent()))).isEqualTo("rwx------");
        assertThat(Files.readString(key)).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----");
        assertThat(Files.readString(KeyFiles.publicKeyFile(key))).startsWith("ssh-ed25519 ");

        assertThat(fixture.localEnv).containsEntry("CARAVAN_SFTP_PORT", Integer.toString(fixture.gateway.port()))
                .containsEntry("CARAVAN_SFTP_DEMO_PARTNERS", "dealer-nord,dealer-sued");
    }

    @Test
    void partnerCannotLogInWithAnotherPartnersKey() {
        GatewayFixture.Result result = fixture.sftp("dealer-nord", fixture.demoKey("dealer-sued"), List.of(), "ls").failed();

        assertThat(result.output()).contains("Permission denied");
    }

    @Test
    void passwordAuthenticationIsNotOffered() {
        GatewayFixture.Result result = fixture.sftp("dealer-nord", fixture.demoKey("dealer-nord"),
                List.of("-o", "PreferredAuthentications=password,keyboard-interactive"), "ls").failed();

        assertThat(result.output()).contains("Permission denied (publickey)");
    }

    @Test
    void countsSuccessfulLogins() {
        double before = successes();

        fixture.sftp("dealer-nord", "ls").succeeded();

        await().atMost(Duration.ofSeconds(5)).until(() -> successes() > before);
    }

    private static double successes() {
        return fixture.meters.counter("caravan.sftp.logins", "outcome", "success").count();
    }
}
