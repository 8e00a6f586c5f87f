package io.caravan.governance;

import io.caravan.governance.ProcessingRecord.Activity;
import io.caravan.governance.ProcessingRecord.Criterion;
import io.caravan.governance.ProcessingRecord.DataCategory;
import io.caravan.governance.ProcessingRecord.Dpia;
import io.caravan.governance.ProcessingRecord.Source;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * DPIA screening (GDPR Art. 35) of one activity against the nine criteria of the EDPB's guidelines
 * (WP248 rev.01), as far as the configuration shows them. Each criterion met carries its evidence
 * (configured names only). Derived:
 * <ul>
 *   <li>{@code evaluation-or-scoring}: the purpose needs an IAB TCF profiling purpose in
 *       {@code config/tcf.yaml} (3 "create a personalised ads profile" or 5 "create a personalised
 *       content profile");</li>
 *   <li>{@code matching-or-combining-datasets}: data of two or more partners feeds the purpose
 *       (routes with {@code consent:<purpose>}, or the connectors writing a table an agreement
 *       shares; consent feeds only filter, so they do not count);</li>
 *   <li>{@code sensitive-or-highly-personal-data}: the purpose carries personal records of a
 *       table that describes a person's financial situation ({@code contract}: loans and leases,
 *       {@code insurance}: premiums), which WP248 lists as data of a highly personal nature.</li>
 * </ul>
 * Not derivable from configuration and listed under {@code notAssessed}: automated decisions with
 * legal effect, systematic monitoring, large scale, vulnerable data subjects, innovative technology,
 * prevention of exercising a right. Two or more criteria met: a DPIA is likely required (the EDPB's
 * rule of thumb). Pure and thread-safe.
 */
final class DpiaScreening {
    /** TCF purposes that build a profile: 3 personalised ads profile, 5 personalised content profile. */
    static final Set<Integer> PROFILING_TCF = Set.of(3, 5);
    /** Tables whose records describe a person's financial situation. */
    static final Set<String> FINANCIAL_TABLES = Set.of("contract", "insurance");

    static final List<String> NOT_ASSESSED = List.of(
            "automated-decision-with-legal-effect", "systematic-monitoring", "large-scale", "vulnerable-data-subjects",
            "innovative-technology", "prevents-exercising-a-right");

    private DpiaScreening() {
    }

    static Dpia screen(Activity activity, List<Integer> tcfPurposes) {
        List<Criterion> met = new ArrayList<>();
        Set<Integer> profiling = tcfPurposes.stream().filter(PROFILING_TCF::contains).collect(Collectors.toCollection(TreeSet::new));
        if (!profiling.isEmpty()) {
            met.add(new Criterion("evaluation-or-scoring", "Evaluation or scoring, including profiling",
                    "config/tcf.yaml maps the purpose to TCF purpose(s) " + profiling + " (personalised profile)"));
        }
        Set<String> partners = activity.sources().stream().filter(s -> !s.kind().equals("consent-feed"))
                .map(Source::partner).collect(Collectors.toCollection(TreeSet::new));
        if (partners.size() >= 2) {
            met.add(new Criterion("matching-or-combining-datasets", "Matching or combining datasets",
                    "sources of " + partners.size() + " partners feed the purpose: " + String.join(", ", partners)));
        }
        Set<String> financial = activity.personalData().stream().filter(DataCategory::personal)
                .flatMap(d -> d.tables().stream()).filter(FINANCIAL_TABLES::contains)
                .collect(Collectors.toCollection(TreeSet::new));
        if (!financial.isEmpty()) {
            met.add(new Criterion("sensitive-or-highly-personal-data", "Sensitive data or data of a highly personal nature",
                    "personal records of financial situation: table(s) " + String.join(", ", financial)));
        }
        return new Dpia(met, NOT_ASSESSED, met.size() >= 2);
    }
}
