package io.caravan.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class LoginBansTest {

    private final MutableClock clock = new MutableClock();
    private final LoginBans bans = new LoginBans(3, Duration.ofMinutes(10), Duration.ofMinutes(15), clock);

    @Test
    void bansAddressAtTheThirdFailureWithinTheWindow() {
        assertThat(bans.recordFailure("10.0.0.1")).isFalse();
        assertThat(bans.recordFailure("10.0.0.1")).isFalse();
        assertThat(bans.isBanned("10.0.0.1")).isFalse();

        assertThat(bans.recordFailure("10.0.0.1")).isTrue();
        assertThat(bans.isBanned("10.0.0.1")).isTrue();
    }

    @Test
    void otherAddressesAreNotBanned() {
        failTimes("10.0.0.1", 3);

        assertThat(bans.isBanned("10.0.0.2")).isFalse();
        assertThat(bans.recordFailure("10.0.0.2")).isFalse();
    }

    @Test
    void failuresOlderThanTheWindowDoNotCount() {
        failTimes("10.0.0.1", 2);
        clock.advance(Duration.ofMinutes(11));

        assertThat(bans.recordFailure("10.0.0.1")).isFalse();
        assertThat(bans.isBanned("10.0.0.1")).isFalse();
    }

    @Test
    void banExpiresAfterItsDurationAndStartsCountingAfresh() {
        failTimes("10.0.0.1", 3);
        clock.advance(Duration.ofMinutes(15).minusSeconds(1));
        assertThat(bans.isBanned("10.0.0.1")).isTrue();

        clock.advance(Duration.ofSeconds(1));
        assertThat(bans.isBanned("10.0.0.1")).isFalse();
        assertThat(bans.recordFailure("10.0.0.1")).isFalse();
    }

    @Test
    void successClearsFailuresButNotABan() {
        failTimes("10.0.0.1", 2);
        bans.recordSuccess("10.0.0.1");
        assertThat(bans.recordFailure("10.0.0.1")).isFalse();

        failTimes("10.0.0.2", 3);
        bans.recordSuccess("10.0.0.2");
        assertThat(bans.isBanned("10.0.0.2")).isTrue();
    }

    @Test
    void expiredEntriesAreRemoved() {
        failTimes("10.0.0.1", 3);
        failTimes("10.0.0.2", 1);
        assertThat(bans.trackedAddresses()).isEqualTo(2);

        clock.advance(Duration.ofMinutes(16));
        assertThat(bans.trackedAddresses()).isZero();
    }

    @Test
    void refusesNonsensicalPolicy() {
        assertThatThrownBy(() -> new LoginBans(0, Duration.ofMinutes(1), Duration.ofMinutes(1), clock))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LoginBans(3, Duration.ZERO, Duration.ofMinutes(1), clock))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private void failTimes(String address, int times) {
        for (int i = 0; i < times; i++) {
            bans.recordFailure(address);
        }
    }

    /** A clock that tests move by hand. */
    static final class MutableClock extends Clock {
        private volatile Instant now = Instant.parse("2025-03-01T08:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
