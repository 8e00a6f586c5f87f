package io.caravan.governance;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The record of processing activities (GDPR Art. 30) as generated from the loaded configuration:
 * one {@link Activity} per configured purpose. Holds configured names, periods, countries and the
 * controller's contacts only; never a row value, a raw identifier, a key or a password.
 * Immutable; serialised as the JSON of {@code GET /api/processing-record}.
 *
 * @param controller            the controller's contact, null when not configured (then a warning)
 * @param dataProtectionOfficer the DPO's contact, null when not configured (then a warning)
 * @param warnings              what a data-protection officer must fix in the configuration
 * @param generatedFrom         which file each part comes from (purposes, policies, agreements, ...)
 */
public record ProcessingRecord(Contact controller, Contact dataProtectionOfficer, List<String> warnings,
                               Map<String, String> generatedFrom, List<Activity> activities) {
    public ProcessingRecord {
        warnings = List.copyOf(warnings);
        generatedFrom = sorted(generatedFrom);
        activities = List.copyOf(activities);
    }

    /** An unmodifiable copy in key order, so the JSON, the CSV and the stored versions read the same every time. */
    static Map<String, String> sorted(Map<String, String> map) {
        return java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(map));
    }

    /** A contact of the controller or its data-protection officer (an organisation's role address). */
    public record Contact(String name, String email, String phone, String address) {
    }

    /**
     * One processing activity, keyed by the purpose id.
     *
     * @param dataSubjects  categories of data subjects, from the record types the purpose's routes carry
     * @param personalData  the canonical fields carried, each with its protection per destination
     * @param transfersOutsideEea recipients in a country outside the EU/EEA, or with no country declared
     * @param flags         problems of this activity a DPO must look at (unknown recipient country, ...)
     */
    public record Activity(String id, String name, String description, String legalBasis, List<String> dataSubjects,
                           List<DataCategory> personalData, List<Source> sources, List<Recipient> recipients,
                           List<Transfer> transfersOutsideEea, Retention retention, Measures technicalMeasures,
                           Dpia dpia, List<String> flags) {
        public Activity {
            Objects.requireNonNull(id, "id");
            dataSubjects = List.copyOf(dataSubjects);
            personalData = List.copyOf(personalData);
            sources = List.copyOf(sources);
            recipients = List.copyOf(recipients);
            transfersOutsideEea = List.copyOf(transfersOutsideEea);
            flags = List.copyOf(flags);
        }

        Activity withDpia(Dpia screening) {
            return new Activity(id, name, description, legalBasis, dataSubjects, personalData, sources, recipients,
                    transfersOutsideEea, retention, technicalMeasures, screening, flags);
        }
    }

    /**
     * A canonical field as it reaches one destination.
     *
     * @param personal    whether the field is a personal identifier or attribute (e-mail, VIN, postcode, ...)
     * @param destination {@code warehouse} or the receiving partner's id
     * @param policy      the privacy policy applied on the way
     * @param protection  {@code hmac}, {@code encrypt}, {@code generalise}, {@code drop} or {@code keep}
     * @param column      the column it becomes, null when dropped
     * @param tables      the warehouse tables (or exported datasets) it is carried in
     */
    public record DataCategory(String field, boolean personal, String destination, String policy, String protection,
                               String column, List<String> tables) {
        public DataCategory {
            tables = List.copyOf(tables);
        }
    }

    /**
     * Where data of this activity comes from.
     *
     * @param kind      {@code route} (a partner flow into the warehouse), {@code consent-feed} or
     *                  {@code warehouse-table} (records an agreement shares, written by the named connector)
     * @param country   ISO 3166 alpha-2 from {@code config/partners.yaml}, or {@code unknown}
     * @param connector the connector descriptor (or consent feed) that reads it
     * @param file      the file that declares this source (the route file, or the connector descriptor)
     */
    public record Source(String kind, String partner, String partnerName, String country, String connector,
                         String dataClass, String route, String table, String file) {
    }

    /**
     * Who receives data of this activity.
     *
     * @param kind       {@code warehouse} or {@code partner}
     * @param agreement  the sharing agreement (partners only)
     * @param validUntil last day of the agreement (partners only)
     * @param schedule   the agreement's Quartz schedule, null for on-demand (partners only)
     * @param datasets   warehouse tables written, or the exported dataset
     * @param columns    the exported columns (partners only)
     */
    public record Recipient(String kind, String id, String name, String country, String agreement, String validUntil,
                            String schedule, List<String> datasets, List<String> columns, String file) {
        public Recipient {
            datasets = List.copyOf(datasets);
            columns = List.copyOf(columns);
        }
    }

    /**
     * A recipient outside the EU/EEA, or one whose country is not declared.
     *
     * @param status {@code outside-eea} or {@code unknown}
     */
    public record Transfer(String recipient, String country, String status) {
    }

    /**
     * How long data of this activity is kept (ISO-8601 periods, as configured).
     *
     * @param tables      per warehouse table ({@code caravan.retention.tables}); {@code not configured} when absent
     * @param archive     kept partner files per source partner ({@code caravan.retention.archive})
     * @param dataClasses per data class: the longest period of the tables and archives its records reach
     */
    public record Retention(Map<String, String> tables, Map<String, String> archive, Map<String, String> dataClasses) {
        public Retention {
            tables = sorted(tables);
            archive = sorted(archive);
            dataClasses = sorted(dataClasses);
        }
    }

    /**
     * Technical and organisational measures (Art. 32) that apply to this activity.
     *
     * @param keyDomains       the pseudonymisation key domains its tokens are made in (names, never keys)
     * @param encryptionAtRest what is encrypted where
     * @param accessRoles      the ops API's roles and what each may do
     */
    public record Measures(List<String> keyDomains, List<String> encryptionAtRest, List<String> accessRoles) {
        public Measures {
            keyDomains = List.copyOf(keyDomains);
            encryptionAtRest = List.copyOf(encryptionAtRest);
            accessRoles = List.copyOf(accessRoles);
        }
    }

    /**
     * DPIA screening (Art. 35) against the EDPB's criteria (WP248 rev.01).
     *
     * @param criteria       the criteria the configuration shows, each with its evidence
     * @param notAssessed    criteria the configuration cannot show (the DPO assesses them)
     * @param likelyRequired two or more criteria met: the EDPB's rule of thumb says a DPIA is required
     */
    public record Dpia(List<Criterion> criteria, List<String> notAssessed, boolean likelyRequired) {
        public Dpia {
            criteria = List.copyOf(criteria);
            notAssessed = List.copyOf(notAssessed);
        }
    }

    /** One EDPB criterion met, with the configuration that shows it. */
    public record Criterion(String id, String title, String evidence) {
    }
}
