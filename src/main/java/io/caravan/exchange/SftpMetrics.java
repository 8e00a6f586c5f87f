package io.caravan.exchange;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The gateway's meters: {@code caravan.sftp.logins{outcome=success|rejected|banned}} (one per
 * authentication decision) and {@code caravan.sftp.bans} (bans started). Tags never carry
 * addresses or partner ids. With no registry every call is a no-op. Thread-safe.
 */
final class SftpMetrics {

    static final String SUCCESS = "success";
    static final String REJECTED = "rejected";
    static final String BANNED = "banned";

    private final Counter success;
    private final Counter rejected;
    private final Counter banned;
    private final Counter bans;

    SftpMetrics(MeterRegistry registry) {
        this.success = login(registry, SUCCESS);
        this.rejected = login(registry, REJECTED);
        this.banned = login(registry, BANNED);
        this.bans = registry == null ? null : Counter.builder("caravan.sftp.bans")
                .description("Addresses banned after repeated failed SFTP logins").register(registry);
    }

    void login(String outcome) {
        Counter counter = switch (outcome) {
            case SUCCESS -> success;
            case REJECTED -> rejected;
            case BANNED -> banned;
            default -> throw new IllegalArgumentException("unknown outcome " + outcome);
        };
        if (counter != null) {
            counter.increment();
        }
    }

    void ban() {
        if (bans != null) {
            bans.increment();
        }
    }

    private static Counter login(MeterRegistry registry, String outcome) {
        return registry == null ? null : Counter.builder("caravan.sftp.logins").tag("outcome", outcome)
                .description("SFTP authentication decisions by outcome").register(registry);
    }
}
