package io.caravan.privacy;

import io.caravan.pseudonymise.Archive;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/retention/run} (operator): runs the retention purge now; answers the rows deleted
 * per table and the kept partner files it crypto-shredded (archive id, batch, partner, route, when archived).
 */
@RestController
class RetentionController {
    private final RetentionPurge purge;

    RetentionController(RetentionPurge purge) {
        this.purge = purge;
    }

    /** What a run deleted. */
    record RetentionAnswer(Map<String, Long> rowsDeleted, List<Archive.Shredded> archivesShredded) {
    }

    @PostMapping("/api/retention/run")
    RetentionAnswer run() {
        RetentionPurge.Run run = purge.run(Actors.current("api"));
        return new RetentionAnswer(run.rowsDeleted(), run.archivesShredded());
    }
}
