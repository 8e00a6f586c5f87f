package io.caravan.exchange;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bans an address after repeated failed authentications: {@code maxFailures} failures from one
 * address within {@code window} ban that address for {@code banDuration}. A ban is per address;
 * other addresses are unaffected. A successful authentication clears the address's failures (not
 * its ban: a banned address is refused before its credentials are looked at).
 *
 * <p>Expired bans and failures older than the window are removed as they are met and by a sweep
 * over all entries at most once per window, so memory stays bounded by the addresses seen in the
 * last window. Thread-safe. Does not log: the caller logs a new ban, by address only.
 */
final class LoginBans {

    private final int maxFailures;
    private final Duration window;
    private final Duration banDuration;
    private final Clock clock;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private volatile Instant nextSweep;

    LoginBans(int maxFailures, Duration window, Duration banDuration, Clock clock) {
        if (maxFailures < 1) {
            throw new IllegalArgumentException("maxFailures must be at least 1");
        }
        this.maxFailures = maxFailures;
        this.window = requirePositive(window, "window");
        this.banDuration = requirePositive(banDuration, "banDuration");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.nextSweep = clock.instant().plus(window);
    }

    /** Whether {@code address} is banned now. */
    boolean isBanned(String address) {
        Instant now = clock.instant();
        Entry entry = entries.get(address);
        return entry != null && entry.bannedUntil(now) != null;
    }

    /**
     * Records one failed authentication from {@code address}.
     *
     * @return {@code true} if this failure started a ban
     */
    boolean recordFailure(String address) {
        Instant now = clock.instant();
        sweepIfDue(now);
        boolean[] banStarted = {false};
        entries.compute(address, (a, existing) -> {
            Entry entry = existing == null ? new Entry() : existing;
            banStarted[0] = entry.fail(now, window, maxFailures, banDuration);
            return entry;
        });
        return banStarted[0];
    }

    /** Clears the failures of {@code address} after a successful authentication. */
    void recordSuccess(String address) {
        entries.computeIfPresent(address, (a, entry) -> entry.clearFailures() ? null : entry);
    }

    /** How many addresses are tracked (banned or with recent failures); for tests and metrics. */
    int trackedAddresses() {
        sweep(clock.instant());
        return entries.size();
    }

    private void sweepIfDue(Instant now) {
        if (now.isAfter(nextSweep)) {
            nextSweep = now.plus(window);
            sweep(now);
        }
    }

    private void sweep(Instant now) {
        for (String address : entries.keySet()) {
            entries.computeIfPresent(address, (a, entry) -> entry.isSpent(now, window) ? null : entry);
        }
    }

    private static Duration requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
        return d;
    }

    /** Failures and ban of one address; changed only inside the map's per-key compute. */
    private static final class Entry {
        private final Deque<Instant> failures = new ArrayDeque<>();
        private Instant banEnd;

        /** The end of the ban, or {@code null} if not banned (an expired ban is cleared). */
        synchronized Instant bannedUntil(Instant now) {
            if (banEnd != null && !now.isBefore(banEnd)) {
                banEnd = null;
            }
            return banEnd;
        }

        /** Records a failure; returns whether it started a ban. Failures while banned are not counted. */
        synchronized boolean fail(Instant now, Duration window, int maxFailures, Duration banDuration) {
            if (bannedUntil(now) != null) {
                return false;
            }
            failures.addLast(now);
            dropFailuresBefore(now.minus(window));
            if (failures.size() < maxFailures) {
                return false;
            }
            failures.clear();
            banEnd = now.plus(banDuration);
            return true;
        }

        /** Clears the failures; returns whether nothing is left to track. */
        synchronized boolean clearFailures() {
            failures.clear();
            return banEnd == null;
        }

        /** Whether the ban has expired and no failure is inside the window. */
        synchronized boolean isSpent(Instant now, Duration window) {
            dropFailuresBefore(now.minus(window));
            return bannedUntil(now) == null && failures.isEmpty();
        }

        private void dropFailuresBefore(Instant oldest) {
            while (!failures.isEmpty() && failures.peekFirst().isBefore(oldest)) {
                failures.removeFirst();
            }
        }
    }
}
