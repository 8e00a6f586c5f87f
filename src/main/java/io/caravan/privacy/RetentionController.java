package io.caravan.privacy;

import java.util.Map;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /api/retention/run} (operator): runs the retention purge now; answers the rows deleted per table. */
@RestController
class RetentionController {
    private final RetentionPurge purge;

    RetentionController(RetentionPurge purge) {
        this.purge = purge;
    }

    /** What a run deleted. */
    record RetentionAnswer(Map<String, Long> rowsDeleted) {
    }

    @PostMapping("/api/retention/run")
    RetentionAnswer run() {
        return new RetentionAnswer(purge.run(Actors.current("api")));
    }
}
