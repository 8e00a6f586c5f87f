package io.caravan.governance;

import io.caravan.api.ApiException;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * ODCS v3.1.0 data contracts of the sharing agreements (viewer): {@code GET /api/contracts} lists
 * them with their ids, {@code GET /api/contracts/{id}} answers one as YAML.
 */
@RestController
@RequestMapping("/api/contracts")
class ContractsController {
    static final MediaType YAML = new MediaType("application", "yaml", java.nio.charset.StandardCharsets.UTF_8);
    private final DataContracts contracts;

    ContractsController(DataContracts contracts) {
        this.contracts = contracts;
    }

    @GetMapping
    List<DataContracts.Summary> list() {
        return contracts.list();
    }

    @GetMapping("/{id}")
    ResponseEntity<String> contract(@PathVariable("id") String id) {
        String yaml = contracts.yaml(id).orElseThrow(() -> ApiException.notFound("no sharing agreement with this id"));
        return ResponseEntity.ok().contentType(YAML).body(yaml);
    }
}
