package io.caravan.ingest;

import io.caravan.error.DataException;
import io.caravan.connector.ConnectorDescriptor;
import io.caravan.pipeline.Issue;
import org.springframework.stereotype.Component;

import javax.xml.stream.Location;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * Streaming reader for marketplace leads in the Auto-lead Data Format (ADF 1.0, {@code format.type: adf-xml}).
 *
 * <h2>Rows</h2>
 * One {@code <prospect>} becomes one source row per <em>vehicle of interest</em>: every {@code <vehicle>}
 * child of the prospect except those with {@code interest="trade-in"} (any case, hyphen optional; a trade-in is part of the deal,
 * not a lead). Rows are numbered 1, 2, 3… in document order across the file; that number is the
 * ledger's {@code row_number}. A prospect that cannot make a lead is still accounted for as exactly
 * <em>one</em> rejected row:
 * <ul>
 *   <li>no {@code <requestdate>} → field {@code prospect.requestdate}, "missing: ADF requires a requestdate per prospect"
 *       (unless the descriptor says {@code missingRequestdate: arrival}, below);</li>
 *   <li>no vehicle other than trade-ins → field {@code vehicle}, "no vehicle of interest in the prospect (trade-ins are not leads)";</li>
 *   <li>a value longer than the connector's {@code maxFieldChars} → that column, "longer than N characters".</li>
 * </ul>
 *
 * <h2>Columns (dotted paths)</h2>
 * Element names are matched without namespace and case-insensitively and written in lower case.
 * <ul>
 *   <li>{@code prospect.id}, {@code prospect.requestdate}, {@code prospect.status} (attribute), {@code prospect.number}
 *       (1-based position of the prospect in the file);</li>
 *   <li>{@code vehicle.<path>} of the row's vehicle ({@code vehicle.year}, {@code vehicle.make}, {@code vehicle.model},
 *       {@code vehicle.vin}, {@code vehicle.price}…), its attributes {@code vehicle.interest} (default {@code buy}) and
 *       {@code vehicle.status} (default {@code new}), the ADF DTD's defaults; {@code vehicle.position} (1-based among all
 *       {@code <vehicle>}s of the prospect, trade-ins included, so it is stable) and {@code lead.ref} =
 *       {@code <prospect.id>/<vehicle.position>}, a natural key for the lead (absent when the prospect has no id, or
 *       derived, below);</li>
 *   <li>everything under {@code customer}, {@code vendor}, {@code provider} by its path, e.g.
 *       {@code customer.contact.email}, {@code customer.contact.address.postalcode}, {@code vendor.id},
 *       {@code vendor.vendorname}, {@code provider.name};</li>
 *   <li>{@code <name part="first|middle|last|full">} → {@code <path>.name.<part>}; a full or part-less name also
 *       {@code <path>.name};</li>
 *   <li>{@code <phone type=…>} → {@code <path>.phone.<type>} for each type (any spelling, e.g. {@code home},
 *       {@code mobile}), and {@code <path>.phone} = the first phone that is not a {@code fax} or {@code pager}.</li>
 * </ul>
 * The first occurrence of a path wins. {@code <comments>} (free text, often CDATA) is never exposed.
 *
 * <h2>What real feeds get wrong (issue #14)</h2>
 * A lead is a sales opportunity, so a slip that can be repaired without guessing is repaired, and every repair is a
 * {@link SourceRow#warnings() warning} of the row by field and rule (never a value), which the ledger records:
 * <ul>
 *   <li>before parsing ({@link AdfRepairs}): a UTF-8 byte-order mark; an XML declaration in upper case, with
 *       typographic quotes or after {@code <?ADF?>} (the ADF 1.0 specification's own example); a stray {@code &}.
 *       Field {@code xml}; declaration and BOM on every row of the file, a stray {@code &} on the prospect being
 *       read when it was escaped (the parser reads ahead, so in a long file it may name an earlier prospect);</li>
 *   <li>{@code format.missingId: derive}: a prospect without {@code <id>} gets {@code lead.ref} = {@code adf:} and
 *       32 hex digits of SHA-256 over provider, vendor, the request date's digits and the vehicle (position, interest,
 *       year, make, model), nothing personal; field {@code prospect.id}. The row is {@link SourceRow#derivedKey()
 *       derivedKey}: pseudonymise folds the subject's warehouse token into its record key;</li>
 *   <li>{@code format.missingRequestdate: arrival}: no {@code <requestdate>} → the time the file was opened (UTC,
 *       seconds); field {@code prospect.requestdate}. A derived id then uses no date, so a resend has the same id;</li>
 *   <li>{@code format.emptyVehicle: lead}: a prospect whose only vehicle of interest has no content
 *       ({@code <vehicle interest="buy"/>}) is one lead without a vehicle, field {@code vehicle}; its
 *       {@code vehicle.*} columns are {@link SourceRow#absentByDesign absent by design}, so required vehicle
 *       fields do not reject it.</li>
 * </ul>
 *
 * <h2>Leniency and refusals</h2>
 * Accepted: no XML declaration, processing instructions of any spelling ({@code <?ADF VERSION="1.0"?>},
 * {@code <?adf version="1.0"?>}), missing optional elements, unknown elements, CDATA. Refused with
 * {@link DataException} naming the source: a {@code DOCTYPE} (DTDs are never read and entities never
 * expanded: no external entities, no entity-expansion bombs), a root element other than {@code <adf>}, and
 * malformed XML. Malformed XML fails the whole batch with its line and column: after a syntax error the
 * rest of the document cannot be delimited reliably, and since the warehouse step commits a batch in one
 * transaction nothing of the file is delivered; the partner resends a corrected file.
 *
 * <p>Memory holds one prospect at a time (bounded by {@code maxFieldChars} per value). Values are never
 * logged nor put into messages. Stateless and thread-safe; each reader is single-use, one thread.
 */
@Component
class AdfXmlReaderFactory implements RecordReaderFactory {
    private static final Set<String> EXPOSED_ROOTS = Set.of("customer", "vendor", "provider");
    private static final Set<String> NOT_A_VOICE_LINE = Set.of("fax", "pager");

    @Override
    public String formatType() {
        return "adf-xml";
    }

    @Override
    public RecordReader open(InputStream in, ConnectorDescriptor descriptor, String source) {
        return new AdfReader(in, descriptor.maxFieldChars(), source, Leniency.of(descriptor), Instant.now());
    }

    /**
     * What the descriptor lets the reader keep ({@code format} options, all off by default):
     * {@code missingId: derive}, {@code missingRequestdate: arrival}, {@code emptyVehicle: lead}.
     */
    record Leniency(boolean deriveId, boolean arrivalWhenNoRequestdate, boolean emptyVehicleIsLead) {
        static final Leniency STRICT = new Leniency(false, false, false);

        static Leniency of(ConnectorDescriptor descriptor) {
            var raw = descriptor.format().raw();
            if (raw == null) {
                return STRICT;
            }
            return new Leniency(raw.path("missingId").asText("").equals("derive"),
                    raw.path("missingRequestdate").asText("").equals("arrival"),
                    raw.path("emptyVehicle").asText("").equals("lead"));
        }
    }

    /** A StAX factory that never reads a DTD and never resolves an external entity. */
    static XMLInputFactory secureFactory() {
        XMLInputFactory factory = XMLInputFactory.newDefaultFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        factory.setProperty(XMLInputFactory.IS_COALESCING, true);
        factory.setXMLResolver((publicId, systemId, base, namespace) -> {
            throw new XMLStreamException("external entities are not resolved");
        });
        return factory;
    }

    static final class AdfReader implements RecordReader {
        private final InputStream in;
        private final XMLStreamReader xml;
        private final int maxFieldChars;
        private final String source;
        private final Deque<SourceRow> pending = new ArrayDeque<>();
        private final Leniency leniency;
        private final String arrival;
        private final AdfRepairs repairs;
        private long ampersandsSeen;
        private boolean rootSeen;
        private boolean finished;
        private long rowNumber;
        private long prospectNumber;

        AdfReader(InputStream in, int maxFieldChars, String source) {
            this(in, maxFieldChars, source, Leniency.STRICT, Instant.now());
        }

        AdfReader(InputStream in, int maxFieldChars, String source, Leniency leniency, Instant arrival) {
            this.in = in;
            this.maxFieldChars = maxFieldChars;
            this.source = source;
            this.leniency = leniency;
            this.arrival = arrival.truncatedTo(ChronoUnit.SECONDS).toString();
            try {
                this.repairs = new AdfRepairs(in);
                // a factory per reader: StAX does not promise that a shared factory is thread-safe
                this.xml = secureFactory().createXMLStreamReader(repairs.stream());
            } catch (IOException e) {
                closeQuietly(in);
                throw new DataException(source + ": cannot be read (" + e.getClass().getSimpleName() + ")");
            } catch (XMLStreamException e) {
                closeQuietly(in);
                throw malformed(e.getLocation());
            }
        }

        @Override
        public boolean hasNext() {
            while (pending.isEmpty() && !finished) {
                readNextProspect();
            }
            return !pending.isEmpty();
        }

        @Override
        public SourceRow next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return pending.removeFirst();
        }

        @Override
        public void close() throws IOException {
            try {
                xml.close();
            } catch (XMLStreamException ignored) {
                // closing anyway
            }
            in.close();
        }

        /** Advances to the next prospect and queues its rows, or marks the end of the document. */
        private void readNextProspect() {
            try {
                while (xml.hasNext()) {
                    int event = xml.next();
                    if (event == XMLStreamConstants.DTD) {
                        throw new DataException(source + ": DOCTYPE declarations are refused (line "
                                + line(xml.getLocation()) + ")");
                    }
                    if (event == XMLStreamConstants.ENTITY_REFERENCE) {
                        throw new DataException(source + ": entity references are refused (line "
                                + line(xml.getLocation()) + ")");
                    }
                    if (event != XMLStreamConstants.START_ELEMENT) {
                        continue;
                    }
                    String name = name();
                    if (!rootSeen) {
                        rootSeen = true;
                        if (!name.equals("adf")) {
                            throw new DataException(source + ": not an ADF document: the root element is not <adf>");
                        }
                        continue;
                    }
                    if (name.equals("prospect")) {
                        readProspect();
                        return;
                    }
                    skipElement(); // anything else directly under <adf> carries no lead
                }
                if (!rootSeen) {
                    throw new DataException(source + ": not an ADF document: no root element");
                }
                finished = true;
            } catch (XMLStreamException e) {
                throw malformed(e.getLocation());
            }
        }

        private void readProspect() throws XMLStreamException {
            prospectNumber++;
            Prospect prospect = new Prospect();
            String status = xml.getAttributeValue(null, "status");
            if (status != null) {
                prospect.put("prospect.status", status);
            }
            while (true) {
                int event = xml.next();
                if (event == XMLStreamConstants.END_ELEMENT) {
                    break;
                }
                if (event == XMLStreamConstants.ENTITY_REFERENCE) {
                    throw new DataException(source + ": entity references are refused (line " + line(xml.getLocation()) + ")");
                }
                if (event != XMLStreamConstants.START_ELEMENT) {
                    continue;
                }
                String name = name();
                switch (name) {
                    case "vehicle" -> prospect.vehicles.add(readVehicle(prospect));
                    case "comments" -> skipElement();
                    case "id", "requestdate" -> {
                        String text = text(prospect);
                        if (text != null) {
                            putFirst(prospect, prospect.values, "prospect." + name, text);
                        }
                    }
                    default -> {
                        if (EXPOSED_ROOTS.contains(name)) {
                            readChildren(prospect, prospect.values, name);
                        } else {
                            skipElement();
                        }
                    }
                }
            }
            queueRows(prospect);
        }

        private Map<String, String> readVehicle(Prospect prospect) throws XMLStreamException {
            Map<String, String> vehicle = new LinkedHashMap<>();
            String interest = xml.getAttributeValue(null, "interest");
            String status = xml.getAttributeValue(null, "status");
            vehicle.put("vehicle.interest", interest == null || interest.isBlank() ? "buy" : interest.strip());
            vehicle.put("vehicle.status", status == null || status.isBlank() ? "new" : status.strip());
            readChildren(prospect, vehicle, "vehicle");
            return vehicle;
        }

        private void readChildren(Prospect prospect, Map<String, String> target, String path) throws XMLStreamException {
            StringBuilder text = new StringBuilder();
            boolean hasChildren = false;
            while (true) {
                int event = xml.next();
                switch (event) {
                    case XMLStreamConstants.START_ELEMENT -> {
                        hasChildren = true;
                        String child = name();
                        if (child.equals("comments")) {
                            skipElement();
                        } else if (child.equals("name")) {
                            String part = attribute("part");
                            String value = text(prospect);
                            if (value != null) {
                                if (part != null) {
                                    putFirst(prospect, target, path + ".name." + part, value);
                                }
                                if (part == null || part.equals("full")) {
                                    putFirst(prospect, target, path + ".name", value);
                                }
                            }
                        } else if (child.equals("phone")) {
                            String type = attribute("type");
                            String value = text(prospect);
                            if (value != null) {
                                if (type != null) {
                                    putFirst(prospect, target, path + ".phone." + type, value);
                                }
                                if (type == null || !NOT_A_VOICE_LINE.contains(type)) {
                                    putFirst(prospect, target, path + ".phone", value);
                                }
                            }
                        } else {
                            readChildren(prospect, target, path + "." + child);
                        }
                    }
                    case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> {
                        if (text.length() <= maxFieldChars) {
                            text.append(xml.getText());
                        }
                    }
                    case XMLStreamConstants.ENTITY_REFERENCE -> throw new DataException(
                            source + ": entity references are refused (line " + line(xml.getLocation()) + ")");
                    case XMLStreamConstants.END_ELEMENT -> {
                        if (!hasChildren) {
                            String value = text.toString().strip();
                            if (!value.isEmpty()) {
                                putFirst(prospect, target, path, value);
                            }
                        }
                        return;
                    }
                    default -> { }
                }
            }
        }

        /** The text of a leaf element (already started), stripped; null when empty. Child elements are ignored. */
        private String text(Prospect prospect) throws XMLStreamException {
            StringBuilder text = new StringBuilder();
            int depth = 1;
            while (depth > 0) {
                int event = xml.next();
                switch (event) {
                    case XMLStreamConstants.START_ELEMENT -> depth++;
                    case XMLStreamConstants.END_ELEMENT -> depth--;
                    case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> {
                        if (depth == 1 && text.length() <= maxFieldChars) {
                            text.append(xml.getText());
                        }
                    }
                    case XMLStreamConstants.ENTITY_REFERENCE -> throw new DataException(
                            source + ": entity references are refused (line " + line(xml.getLocation()) + ")");
                    default -> { }
                }
            }
            String value = text.toString().strip();
            return value.isEmpty() ? null : value;
        }

        private void putFirst(Prospect prospect, Map<String, String> target, String path, String value) {
            if (value.length() > maxFieldChars && prospect.problem == null) {
                prospect.problem = Issue.rejection(path, "longer than " + maxFieldChars + " characters");
                return;
            }
            target.putIfAbsent(path, value);
        }

        private void skipElement() throws XMLStreamException {
            int depth = 1;
            while (depth > 0) {
                int event = xml.next();
                if (event == XMLStreamConstants.START_ELEMENT) {
                    depth++;
                } else if (event == XMLStreamConstants.END_ELEMENT) {
                    depth--;
                } else if (event == XMLStreamConstants.ENTITY_REFERENCE) {
                    throw new DataException(source + ": entity references are refused (line " + line(xml.getLocation()) + ")");
                }
            }
        }

        private void queueRows(Prospect prospect) {
            prospect.put("prospect.number", Long.toString(prospectNumber));
            List<Map<String, String>> leads = new ArrayList<>();
            for (int i = 0; i < prospect.vehicles.size(); i++) {
                Map<String, String> vehicle = prospect.vehicles.get(i);
                vehicle.put("vehicle.position", Integer.toString(i + 1));
                if (!isTradeIn(vehicle.get("vehicle.interest"))) {
                    leads.add(vehicle);
                }
            }
            List<Issue> warnings = new ArrayList<>(repairs.fileRepairs());
            if (repairs.ampersandsEscaped() > ampersandsSeen) {
                ampersandsSeen = repairs.ampersandsEscaped();
                warnings.add(Issue.warning(AdfRepairs.FIELD, AdfRepairs.AMPERSAND));
            }
            Issue problem = prospect.problem;
            String requestdate = prospect.values.get("prospect.requestdate");
            if (problem == null && requestdate == null) {
                if (leniency.arrivalWhenNoRequestdate()) {
                    prospect.values.put("prospect.requestdate", arrival);
                    warnings.add(Issue.warning("prospect.requestdate", "missing: the file's arrival time is used"));
                } else {
                    problem = Issue.rejection("prospect.requestdate", "missing: ADF requires a requestdate per prospect");
                }
            }
            if (problem == null && leads.isEmpty()) {
                problem = Issue.rejection("vehicle", "no vehicle of interest in the prospect (trade-ins are not leads)");
            }
            if (problem != null) {
                pending.add(new AdfRow(++rowNumber, prospect.values, problem, List.of(), false, false));
                return;
            }
            String id = prospect.values.get("prospect.id");
            for (Map<String, String> vehicle : leads) {
                Map<String, String> row = new LinkedHashMap<>(prospect.values);
                row.putAll(vehicle);
                List<Issue> rowWarnings = new ArrayList<>(warnings);
                boolean withoutVehicle = leniency.emptyVehicleIsLead() && leads.size() == 1 && isEmpty(vehicle);
                if (withoutVehicle) {
                    rowWarnings.add(Issue.warning("vehicle", "empty vehicle: kept as a lead without a vehicle"));
                }
                if (id != null) {
                    row.put("lead.ref", id + "/" + vehicle.get("vehicle.position"));
                } else if (leniency.deriveId()) {
                    row.put("lead.ref", derivedRef(prospect.values, requestdate, vehicle));
                    rowWarnings.add(Issue.warning("prospect.id", "missing: lead id derived from provider, vendor, request date and vehicle"));
                }
                pending.add(new AdfRow(++rowNumber, row, null, List.copyOf(rowWarnings), withoutVehicle,
                        id == null && leniency.deriveId()));
            }
        }

        /** A vehicle with nothing but its attributes (interest, status): {@code <vehicle interest="buy"/>}. */
        private static boolean isEmpty(Map<String, String> vehicle) {
            return vehicle.keySet().stream().allMatch(k -> k.equals("vehicle.interest") || k.equals("vehicle.status")
                    || k.equals("vehicle.position"));
        }

        /**
         * A stable lead id for a prospect without {@code <id>}: {@code adf:} and 32 hex digits of SHA-256 over the
         * provider, the vendor, the request date as sent (digits only, so layout slips do not matter; empty when the
         * prospect has none), and the vehicle (position, interest, year, make, model). No personal value (customer,
         * contact, VIN, comments) goes in, so the id says nothing about the person; the same lead re-sent gets the
         * same id and is a duplicate in the warehouse.
         */
        static String derivedRef(Map<String, String> prospect, String requestdate, Map<String, String> vehicle) {
            StringBuilder key = new StringBuilder();
            for (String column : List.of("provider.name", "provider.id", "provider.service", "vendor.id", "vendor.vendorname",
                    "vendor.contact.name")) {
                key.append(normalised(prospect.get(column))).append('|');
            }
            key.append(requestdate == null ? "" : requestdate.replaceAll("[^0-9]", "")).append('|');
            for (String column : List.of("vehicle.position", "vehicle.interest", "vehicle.year", "vehicle.make", "vehicle.model")) {
                key.append(normalised(vehicle.get(column))).append('|');
            }
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.toString().getBytes(StandardCharsets.UTF_8));
                return "adf:" + HexFormat.of().formatHex(digest, 0, 16);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is not available", e);
            }
        }

        private static String normalised(String value) {
            return value == null ? "" : value.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
        }

        /** {@code trade-in} in any case, with or without the hyphen ({@code Trade-In}, {@code trade in}, {@code tradein}). */
        private static boolean isTradeIn(String interest) {
            return interest.toLowerCase(Locale.ROOT).replaceAll("[^a-z]", "").equals("tradein");
        }

        private String name() {
            return xml.getLocalName().toLowerCase(Locale.ROOT);
        }

        private String attribute(String local) {
            for (int i = 0; i < xml.getAttributeCount(); i++) {
                if (xml.getAttributeLocalName(i).equalsIgnoreCase(local)) {
                    String value = xml.getAttributeValue(i).strip().toLowerCase(Locale.ROOT);
                    return value.isEmpty() ? null : value;
                }
            }
            return null;
        }

        private DataException malformed(Location location) {
            if (location == null) {
                return new DataException(source + ": malformed XML (position unknown)");
            }
            return new DataException(source + ": malformed XML at line " + location.getLineNumber()
                    + ", column " + location.getColumnNumber() + "; the rest of the file cannot be read");
        }

        private static String line(Location location) {
            return location == null ? "unknown" : Integer.toString(location.getLineNumber());
        }

        private static void closeQuietly(InputStream in) {
            try {
                in.close();
            } catch (IOException ignored) {
                // failing anyway
            }
        }
    }

    /** One prospect while it is read: its own values and its vehicles. */
    private static final class Prospect {
        final Map<String, String> values = new LinkedHashMap<>();
        final List<Map<String, String>> vehicles = new ArrayList<>();
        Issue problem;

        void put(String path, String value) {
            values.putIfAbsent(path, value);
        }
    }

    /** A row of one (prospect, vehicle of interest); {@link #toString()} prints no values. */
    private record AdfRow(long number, Map<String, String> values, Issue problem, List<Issue> warnings, boolean withoutVehicle,
                          boolean derivedKey) implements SourceRow {
        /** The vehicle's columns of a lead kept without a vehicle ({@code emptyVehicle: lead}). */
        @Override
        public boolean absentByDesign(String column) {
            return withoutVehicle && column.startsWith("vehicle.");
        }

        @Override
        public String get(String column) {
            return values.get(column);
        }

        @Override
        public Collection<String> columns() {
            return Collections.unmodifiableSet(values.keySet());
        }

        @Override
        public String toString() {
            return "AdfRow[" + number + "]";
        }
    }
}
