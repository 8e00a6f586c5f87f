package io.caravan.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upload-completion contract of {@link SftpGateway}, checked with a plain Camel {@code file:}
 * consumer using exactly the options the gateway's Javadoc tells routes to use.
 */
class InboxPickupIT {

    private static final Duration SEVERAL_POLLS = Duration.ofMillis(800);

    @TempDir
    Path dir;

    private GatewayFixture fixture;
    private CamelContext camel;
    private final List<String> consumed = new CopyOnWriteArrayList<>();
    private ClientSession session;
    private SftpClient sftp;

    @BeforeEach
    void start() throws Exception {
        fixture = new GatewayFixture(dir, GatewayFixture.twoDealers());
        Path inbox = fixture.home("dealer-nord").resolve("inbox");
        camel = new DefaultCamelContext();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                fromF("file:%s?doneFileName=${file:name}.ready&move=.done&moveFailed=.failed&initialDelay=0&delay=50", inbox)
                        .routeId("dealer-nord-inbox")
                        .process(e -> consumed.add(e.getIn().getHeader("CamelFileName", String.class) + "="
                                + e.getIn().getBody(String.class)));
            }
        });
        camel.start();
        session = fixture.login("dealer-nord", fixture.demoKeyPair("dealer-nord"), "127.0.0.1");
        sftp = SftpClientFactory.instance().createSftpClient(session);
    }

    @AfterEach
    void stop() throws Exception {
        session.close(true);
        camel.close();
        fixture.close();
    }

    @Test
    void fileOpenForWritingIsNotConsumedAndIsConsumedOnceAfterClose() throws Exception {
        try (SftpClient.CloseableHandle handle = sftp.open("inbox/sales.csv", SftpClient.OpenMode.Write,
                SftpClient.OpenMode.Create, SftpClient.OpenMode.Truncate)) {
            sftp.write(handle, 0, bytes("vin;price\n"));
            await().during(SEVERAL_POLLS).atMost(SEVERAL_POLLS.multipliedBy(2)).until(consumed::isEmpty);
            sftp.write(handle, 10, bytes("WVWZZZ1JZXW000001;21990\n"));
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> !consumed.isEmpty());
        await().during(SEVERAL_POLLS).atMost(SEVERAL_POLLS.multipliedBy(2)).until(() -> consumed.size() == 1);
        assertThat(consumed).containsExactly("sales.csv=vin;price\nWVWZZZ1JZXW000001;21990\n");
        Path inbox = fixture.home("dealer-nord").resolve("inbox");
        assertThat(inbox.resolve(".done/sales.csv")).exists();
        assertThat(inbox.resolve("sales.csv.ready")).doesNotExist();
    }

    @Test
    void temporaryNameIsNeverConsumedAndTheRenamedFileIsConsumedOnce() throws Exception {
        upload("inbox/leads.xml.part", "<adf/>");
        upload("inbox/.hidden.xml", "<adf/>");
        upload("inbox/leads.tmp", "<adf/>");
        await().during(SEVERAL_POLLS).atMost(SEVERAL_POLLS.multipliedBy(2)).until(consumed::isEmpty);

        sftp.rename("inbox/leads.xml.part", "inbox/leads.xml");

        await().atMost(Duration.ofSeconds(10)).until(() -> !consumed.isEmpty());
        await().during(SEVERAL_POLLS).atMost(SEVERAL_POLLS.multipliedBy(2)).until(() -> consumed.size() == 1);
        assertThat(consumed).containsExactly("leads.xml=<adf/>");
    }

    @Test
    void uploadCutOffByADroppedConnectionIsNotConsumed() throws Exception {
        SftpClient.CloseableHandle handle = sftp.open("inbox/cut.csv", SftpClient.OpenMode.Write,
                SftpClient.OpenMode.Create, SftpClient.OpenMode.Truncate);
        sftp.write(handle, 0, bytes("vin;pri"));
        session.close(true);

        await().during(SEVERAL_POLLS.multipliedBy(2)).atMost(SEVERAL_POLLS.multipliedBy(3)).until(consumed::isEmpty);
        assertThat(fixture.home("dealer-nord").resolve("inbox/cut.csv")).exists();
    }

    @Test
    void sameNameUploadedAgainAfterIngestIsANewDelivery() throws Exception {
        upload("inbox/sales.csv", "day 1\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> consumed.size() == 1);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !Files.exists(fixture.home("dealer-nord").resolve("inbox/sales.csv.ready")));

        upload("inbox/sales.csv", "day 2\n");

        await().atMost(Duration.ofSeconds(10)).until(() -> consumed.size() == 2);
        assertThat(consumed).containsExactly("sales.csv=day 1\n", "sales.csv=day 2\n");
    }

    private void upload(String path, String content) throws IOException {
        try (SftpClient.CloseableHandle handle = sftp.open(path, SftpClient.OpenMode.Write, SftpClient.OpenMode.Create,
                SftpClient.OpenMode.Truncate)) {
            sftp.write(handle, 0, bytes(content));
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
