package io.caravan.governance;

import io.caravan.connector.ConnectorRegistry;
import io.caravan.consent.PurposeRegistry;
import io.caravan.deliver.AgreementRegistry;
import io.caravan.pseudonymise.PolicyRegistry;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the record of processing is generated from: the loaded registries, the running routes
 * and the small files and settings read for it. Immutable once built.
 *
 * @param routes      the routes as they run (id, file, from URI, {@code to:} steps in order)
 * @param partners    partner id → name and declared country ({@code config/partners.yaml})
 * @param feeds       consent feeds of {@code config/consent-feeds.yaml}
 * @param tcf         Caravan purpose → the IAB TCF purposes it needs ({@code config/tcf.yaml})
 * @param retention   table → ISO-8601 period ({@code caravan.retention.tables})
 * @param archiveMaxAge default age of kept partner files; {@code archivePartners} per partner
 * @param files       part → the file it comes from, for the reader and the change log
 */
record RecordInputs(PurposeRegistry purposes, ConnectorRegistry connectors, PolicyRegistry policies,
                    AgreementRegistry agreements, List<RouteInfo> routes, Map<String, PartnerInfo> partners,
                    List<FeedInfo> feeds, Map<String, List<Integer>> tcf, Map<String, String> retention,
                    String archiveMaxAge, Map<String, String> archivePartners, ProcessingRecord.Contact controller,
                    ProcessingRecord.Contact dpo, Map<String, String> files) {
    RecordInputs {
        Objects.requireNonNull(purposes, "purposes");
        Objects.requireNonNull(connectors, "connectors");
        Objects.requireNonNull(policies, "policies");
        Objects.requireNonNull(agreements, "agreements");
        routes = List.copyOf(routes);
        partners = Map.copyOf(partners);
        feeds = List.copyOf(feeds);
        tcf = Map.copyOf(tcf);
        retention = Map.copyOf(retention);
        archivePartners = Map.copyOf(archivePartners);
        files = Map.copyOf(files);
    }

    /** A route as it runs: its id, the file it was loaded from, its {@code from} URI and its steps. */
    record RouteInfo(String id, String file, String from, List<String> steps) {
        RouteInfo {
            steps = List.copyOf(steps);
        }
    }

    /** A partner of {@code config/partners.yaml}; {@code country} null when not declared. */
    record PartnerInfo(String name, String country) {
    }

    /** A consent feed: its partner, the subject identifiers it maps and the purposes it records consent for. */
    record FeedInfo(String id, String title, String partner, Set<String> identifiers, Set<String> purposes) {
        FeedInfo {
            identifiers = Set.copyOf(identifiers);
            purposes = Set.copyOf(purposes);
        }
    }
}
