package io.caravan.deliver;

import io.caravan.connector.DataClass;
import java.time.LocalDate;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.List;
import java.util.Objects;

/**
 * A sharing agreement from {@code config/agreements.yaml}: which dataset (a warehouse table or view
 * and exactly which columns) a partner may receive, for which purpose, under which policy (whose
 * key domain is the partner), until which day, on which schedule, in which format and over which
 * transport. Built and validated by {@link AgreementRegistry}; immutable. {@link #toString()}
 * names no credential (transports hold file paths, never key material).
 *
 * @param schedule    Quartz cron expression, or null to run on demand only
 * @param kAnonymity  the k-anonymity gate over the exported rows, or null for none
 * @param activation  what an agreement of {@code kind: activation} sends to an ad platform, or null
 *                    for a sharing agreement (then {@code columns} and {@code policy} say what is sent)
 * @param dataClasses the data classes the partner may receive ({@link #SHARED_BY_DEFAULT} unless the
 *                    agreement names them; {@code third_party} only when named)
 * @param where       only rows whose column holds one of the values (empty: every row)
 * @param decrypt     {@code <field>_enc} columns decrypted at export time for this partner (audited)
 */
public record Agreement(String id, String title, String partner, String table, List<String> columns, String purpose,
                        String policy, LocalDate validUntil, String schedule, Format format, Transport transport,
                        KAnonymity kAnonymity, Activation activation,
                        Set<DataClass> dataClasses, Map<String, List<String>> where, List<String> decrypt) {
    /** What an agreement that names no class lets through: every class but third-party data. */
    static final Set<DataClass> SHARED_BY_DEFAULT = Set.copyOf(
            EnumSet.of(DataClass.FIRST_PARTY, DataClass.ZERO_PARTY, DataClass.SECOND_PARTY));

    public Agreement {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(partner, "partner");
        Objects.requireNonNull(table, "table");
        columns = List.copyOf(columns);
        Objects.requireNonNull(purpose, "purpose");
        if (activation == null) {
            Objects.requireNonNull(policy, "policy");
        }
        Objects.requireNonNull(validUntil, "validUntil");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(transport, "transport");
        dataClasses = dataClasses == null || dataClasses.isEmpty() ? SHARED_BY_DEFAULT : Set.copyOf(dataClasses);
        where = where == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(where));
        decrypt = decrypt == null ? List.of() : List.copyOf(decrypt);
        if (kAnonymity != null && !columns.containsAll(kAnonymity.quasiIdentifiers())) {
            throw new IllegalArgumentException("quasi-identifiers must be exported columns");
        }
    }

    /** {@code activation} or {@code share}, as {@code kind} in the file. */
    public String kind() {
        return activation == null ? "share" : "activation";
    }

    /** Whether exports may still run on {@code day} (the last valid day included). */
    public boolean validOn(LocalDate day) {
        return !day.isAfter(validUntil);
    }

    /** The export file formats. */
    public enum Format {
        CSV("csv"), JSON("json");

        private final String extension;

        Format(String extension) {
            this.extension = extension;
        }

        public String extension() {
            return extension;
        }
    }

    /** Where an export goes. */
    public sealed interface Transport permits Outbox, PartnerSftp, Https {
        /** The transport's name as stored in {@code caravan.export.transport}. */
        String kind();
    }

    /** The partner's {@code outbox/} on Caravan's own SFTP gateway. */
    public record Outbox() implements Transport {
        @Override
        public String kind() {
            return "outbox";
        }
    }

    /**
     * The partner's own SFTP server, through Camel's {@code sftp} component with the partner's
     * host key pinned ({@code knownHostsFile}, {@code strictHostKeyChecking=yes}).
     */
    public record PartnerSftp(String host, int port, String username, String privateKeyFile, String knownHostsFile,
                              String directory) implements Transport {
        @Override
        public String kind() {
            return "sftp";
        }
    }

    /** An HTTPS endpoint of the partner: the file and then its manifest are PUT below {@code url}. */
    public record Https(String url, String trustCertificate) implements Transport {
        @Override
        public String kind() {
            return "https";
        }
    }
}
