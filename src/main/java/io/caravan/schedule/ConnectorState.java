package io.caravan.schedule;

import java.time.Instant;

/**
 * The incremental state of one API connector ({@code caravan.connector_state}): the watermark (the
 * greatest value of its incremental field committed so far) and the last cursor followed.
 * Neither holds personal data: they are timestamps or opaque paging tokens of the partner.
 */
public record ConnectorState(String connectorId, String watermark, String cursor, Instant updatedAt, String updatedBy) {
}
