package io.caravan.privacy;

import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/batches/{id}/replay} (operator): replays a batch from its encrypted archive
 * through today's checks as a new batch linked to the original (see {@link Replayer}); answers the
 * new batch id. {@code 404} for an unknown batch or one without a kept file, {@code 409} when the
 * kept file was shredded, does not authenticate, or its name is still waiting in the inbox.
 */
@RestController
class ReplayController {
    private final Replayer replayer;

    ReplayController(Replayer replayer) {
        this.replayer = replayer;
    }

    @PostMapping("/api/batches/{id}/replay")
    Replayer.Result replay(@PathVariable("id") String batchId) {
        return replayer.replay(batchId, Actors.current("api"));
    }
}
