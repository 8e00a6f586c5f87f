package io.caravan.governance;

import io.caravan.governance.ProcessingRecord.Activity;
import io.caravan.governance.ProcessingRecord.Contact;
import io.caravan.governance.ProcessingRecord.Criterion;
import io.caravan.governance.ProcessingRecord.DataCategory;
import io.caravan.governance.ProcessingRecord.Recipient;
import io.caravan.governance.ProcessingRecord.Source;
import io.caravan.governance.ProcessingRecord.Transfer;
import java.util.List;
import java.util.Map;

/**
 * The record as one CSV table for a spreadsheet: {@code activity,name,legal_basis,section,item,value,note},
 * one row per fact (a data category, a source, a recipient, a retention period, a DPIA criterion...);
 * rows with an empty activity hold the controller, the DPO and the warnings. RFC 4180 quoting; a cell
 * starting with {@code = + - @}, tab or CR gets a leading {@code '} so no spreadsheet runs it as a
 * formula. Pure and thread-safe.
 */
final class RecordCsv {
    static final String HEADER = "activity,name,legal_basis,section,item,value,note";

    private RecordCsv() {
    }

    static String write(ProcessingRecord record) {
        StringBuilder csv = new StringBuilder(HEADER).append("\r\n");
        contact(csv, "controller", record.controller());
        contact(csv, "data protection officer", record.dataProtectionOfficer());
        record.warnings().forEach(w -> row(csv, null, "warning", "", w, ""));
        for (Activity a : record.activities()) {
            row(csv, a, "description", "", a.description(), "");
            a.dataSubjects().forEach(s -> row(csv, a, "data subjects", "", s, ""));
            for (DataCategory d : a.personalData()) {
                row(csv, a, d.personal() ? "personal data" : "other data", d.field(), d.protection(),
                        "to " + d.destination() + (d.column() == null ? "" : " as " + d.column()) + " in "
                                + String.join(" ", d.tables()) + " (policy " + d.policy() + ")");
            }
            for (Source s : a.sources()) {
                row(csv, a, "source", s.partner(), s.connector() + " (" + s.dataClass() + ")",
                        s.partnerName() + ", country " + s.country() + (s.route() == null ? "" : ", route " + s.route())
                                + (s.file() == null ? "" : ", " + s.file()));
            }
            for (Recipient r : a.recipients()) {
                row(csv, a, "recipient", r.id(), r.kind(), r.kind().equals("warehouse")
                        ? "tables " + String.join(" ", r.datasets())
                        : r.name() + ", country " + r.country() + ", agreement " + r.agreement() + " valid until "
                                + r.validUntil() + ", columns " + String.join(" ", r.columns()));
            }
            for (Transfer t : a.transfersOutsideEea()) {
                row(csv, a, "transfer outside EU/EEA", t.recipient(), t.country(), t.status());
            }
            retention(csv, a, "retention table", a.retention().tables());
            retention(csv, a, "retention archive", a.retention().archive());
            retention(csv, a, "retention data class", a.retention().dataClasses());
            a.technicalMeasures().keyDomains().forEach(k -> row(csv, a, "key domain", k, "", ""));
            a.technicalMeasures().encryptionAtRest().forEach(e -> row(csv, a, "encryption at rest", "", e, ""));
            a.technicalMeasures().accessRoles().forEach(r -> row(csv, a, "access role", "", r, ""));
            if (a.dpia() != null) {
                for (Criterion c : a.dpia().criteria()) {
                    row(csv, a, "dpia criterion", c.id(), c.title(), c.evidence());
                }
                row(csv, a, "dpia", "", a.dpia().likelyRequired() ? "likely required" : "not indicated by configuration",
                        "not assessed from configuration: " + String.join(" ", a.dpia().notAssessed()));
            }
            a.flags().forEach(f -> row(csv, a, "flag", "", f, ""));
        }
        return csv.toString();
    }

    private static void contact(StringBuilder csv, String role, Contact c) {
        if (c == null) {
            row(csv, null, role, "", "not configured", "");
            return;
        }
        row(csv, null, role, c.name() == null ? "" : c.name(), c.email() == null ? "" : c.email(),
                String.join("; ", List.of(c.phone() == null ? "" : c.phone(), c.address() == null ? "" : c.address())));
    }

    private static void retention(StringBuilder csv, Activity a, String section, Map<String, String> periods) {
        periods.forEach((name, period) -> row(csv, a, section, name, period, ""));
    }

    private static void row(StringBuilder csv, Activity a, String section, String item, String value, String note) {
        List<String> cells = List.of(a == null ? "" : a.id(), a == null ? "" : a.name(), a == null ? "" : a.legalBasis(),
                section, item, value == null ? "" : value, note == null ? "" : note);
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                csv.append(',');
            }
            csv.append(cell(cells.get(i)));
        }
        csv.append("\r\n");
    }

    static String cell(String value) {
        String text = value;
        if (!text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0) {
            text = "'" + text;
        }
        if (text.contains(",") || text.contains("\"") || text.contains("\n") || text.contains("\r") || text.startsWith("'")) {
            return '"' + text.replace("\"", "\"\"") + '"';
        }
        return text;
    }
}
