package io.caravan.consent;

import io.caravan.pipeline.RecordBatch;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultProducer;

/**
 * Wraps the {@link RecordBatch} body in chunks checked by the {@link ConsentCheck}, each chunk's
 * subjects then recorded for the batch ({@link BatchSubjects}); reads no row itself.
 */
final class ConsentProducer extends DefaultProducer {
    private final Purpose purpose;
    private final ConsentCheck check;
    private final BatchSubjects subjects;
    private final int chunkSize;

    ConsentProducer(ConsentEndpoint endpoint, Purpose purpose, ConsentCheck check, BatchSubjects subjects, int chunkSize) {
        super(endpoint);
        this.purpose = purpose;
        this.check = check;
        this.subjects = subjects;
        this.chunkSize = chunkSize;
    }

    @Override
    public void process(Exchange exchange) {
        Object body = exchange.getIn().getBody();
        if (!(body instanceof RecordBatch batch)) {
            throw new IllegalArgumentException("consent:" + purpose.id()
                    + " expects a RecordBatch body (from a harmonise step), got "
                    + (body == null ? "no body" : body.getClass().getName()));
        }
        batch.context().purpose(purpose.id());
        String batchId = batch.context().batchId();
        exchange.getIn().setBody(batch.chunked(chunkSize, chunk -> {
            check.check(purpose, chunk);
            subjects.record(batchId, chunk);
        }));
    }
}
