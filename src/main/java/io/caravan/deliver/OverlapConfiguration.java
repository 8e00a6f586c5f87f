package io.caravan.deliver;

import io.caravan.consent.PurposeRegistry;
import io.caravan.pseudonymise.KeyRing;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires partner overlap: the {@link OverlapUploads} loader and the Camel route
 * {@code overlap-uploads}, which picks up {@code <partner>/inbox/*.overlap} below the SFTP
 * gateway's root once the gateway has marked it complete ({@code <file>.ready}), loads it and
 * deletes it (and its marker) whatever the outcome, so no uploaded hash stays on disk; and
 * {@link Overlaps} with {@code caravan.overlaps.min-group-size} (default 50),
 * {@code caravan.overlaps.epsilon-budget} (per pair, default 1.0) and
 * {@code caravan.overlaps.purpose} (default {@code analytics}) and {@code caravan.overlaps.require-noise}
 * (default false: epsilon optional per query).
 */
@Configuration(proxyBeanMethods = false)
class OverlapConfiguration {

    @Bean
    OverlapUploads overlapUploads(DataSource dataSource, KeyRing keys) {
        return new OverlapUploads(dataSource, keys, Clock.systemUTC());
    }

    @Bean
    Overlaps overlaps(DataSource dataSource, KeyRing keys, PurposeRegistry purposes,
                      @Value("${caravan.overlaps.min-group-size:50}") int minGroupSize,
                      @Value("${caravan.overlaps.epsilon-budget:1.0}") BigDecimal epsilonBudget,
                      @Value("${caravan.overlaps.purpose:analytics}") String purpose,
                      @Value("${caravan.overlaps.require-noise:false}") boolean requireNoise) {
        purposes.require(purpose);
        return new Overlaps(dataSource, keys, purposes,
                new Overlaps.Settings(minGroupSize, epsilonBudget, purpose, requireNoise), null, Clock.systemUTC());
    }

    @Bean
    RouteBuilder overlapUploadRoute(OverlapUploads uploads,
                                    @Value("${caravan.sftp.root:${caravan.data-dir:data}/sftp}") Path sftpRoot) {
        return route(uploads, sftpRoot);
    }

    /** The upload route over {@code sftpRoot}; the partner is the first folder of the file's relative path. */
    static RouteBuilder route(OverlapUploads uploads, Path sftpRoot) {
        return new RouteBuilder() {
            @Override
            public void configure() {
                fromF("file:%s?recursive=true&antInclude=*/inbox/*.overlap&doneFileName=${file:name}.ready"
                        + "&delete=true&delay=2000&readLock=none", sftpRoot.toAbsolutePath())
                        .routeId("overlap-uploads")
                        .routeDescription("Partner overlap audiences: re-keyed into the overlap domain, upload deleted")
                        .process(exchange -> load(uploads, exchange));
            }
        };
    }

    private static void load(OverlapUploads uploads, Exchange exchange) throws Exception {
        String relative = exchange.getIn().getHeader(Exchange.FILE_NAME, String.class).replace('\\', '/');
        String partner = relative.substring(0, relative.indexOf('/'));
        String name = relative.substring(relative.lastIndexOf('/') + 1);
        try (InputStream in = exchange.getIn().getBody(InputStream.class)) {
            uploads.load(partner, name, in);
        } catch (RuntimeException | java.sql.SQLException | java.io.IOException e) {
            // recorded nowhere but the log, by class only: the file is deleted all the same
            org.slf4j.LoggerFactory.getLogger(OverlapUploads.class).warn("overlap upload of partner {} failed: {}",
                    partner.matches("[A-Za-z0-9_-]{1,64}") ? partner : "(invalid)", e.getClass().getSimpleName());
        }
    }
}
