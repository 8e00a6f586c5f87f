package io.caravan.lineage;

import io.openlineage.client.OpenLineage.RunEvent;
import java.time.Duration;
import java.util.List;

/**
 * Hands run events to every configured sink without waiting for any of them: each sink has its own
 * bounded queue and thread ({@link AsyncTransport}). {@link #emit} never blocks and never throws
 * because of a sink. Thread-safe.
 */
public final class LineageEmitter implements AutoCloseable {
    private final List<AsyncTransport> sinks;

    LineageEmitter(List<AsyncTransport> sinks) {
        this.sinks = List.copyOf(sinks);
    }

    void emit(RunEvent event) {
        for (AsyncTransport sink : sinks) {
            sink.offer(event);
        }
    }

    /** The sinks' names, e.g. {@code [database]} or {@code [http, database]}. */
    public List<String> sinks() {
        return sinks.stream().map(AsyncTransport::name).toList();
    }

    /** Events offered to some sink and not yet sent or failed. */
    public long pending() {
        return sinks.stream().mapToLong(AsyncTransport::pending).sum();
    }

    @Override
    public void close() {
        sinks.forEach(sink -> sink.close(Duration.ofSeconds(3)));
    }
}
