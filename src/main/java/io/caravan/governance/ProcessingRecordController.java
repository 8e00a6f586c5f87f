package io.caravan.governance;

import io.caravan.api.ApiException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * The record of processing activities (viewer): {@code GET /api/processing-record} (JSON, or
 * {@code ?format=csv} for the officer's spreadsheet), its stored versions and its change log
 * ({@code GET /api/processing-record/changes?since=2026-12-01}).
 */
@RestController
@RequestMapping("/api/processing-record")
class ProcessingRecordController {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final ProcessingRecords records;

    ProcessingRecordController(ProcessingRecords records) {
        this.records = records;
    }

    @GetMapping
    ResponseEntity<?> record(@RequestParam(name = "format", required = false) String format) {
        ProcessingRecord record = records.current();
        if (format == null || format.equals("json")) {
            return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(record);
        }
        if (format.equals("csv")) {
            return ResponseEntity.ok()
                    .header("Content-Disposition", "attachment; filename=\"processing-record.csv\"")
                    .contentType(new MediaType("text", "csv", java.nio.charset.StandardCharsets.UTF_8))
                    .body(RecordCsv.write(record));
        }
        throw ApiException.badRequest("format must be json or csv", "format");
    }

    @GetMapping("/versions")
    List<RecordVersions.Version> versions() {
        return records.versions().versions();
    }

    @GetMapping("/versions/{version}")
    ResponseEntity<?> version(@PathVariable("version") String version) {
        long number;
        try {
            number = Long.parseLong(version);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("version must be a number", "version");
        }
        String json = records.versions().record(number)
                .orElseThrow(() -> ApiException.notFound("no version " + number + " of the record of processing"));
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(JSON.readTree(json));
    }

    @GetMapping("/changes")
    List<RecordVersions.StoredChange> changes(@RequestParam(name = "since", required = false) String since) {
        return records.versions().changesSince(since == null ? Instant.EPOCH : parse(since));
    }

    /** {@code 2026-12-01} (start of that day, UTC) or an instant {@code 2026-12-01T10:00:00Z}. */
    private static Instant parse(String since) {
        try {
            return since.length() == 10 ? LocalDate.parse(since).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(since);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("since must be a date (2026-12-01) or an instant (2026-12-01T10:00:00Z)", "since");
        }
    }

}
