package io.caravan.connector;

import static io.caravan.connector.ColumnType.BIGINT;
import static io.caravan.connector.ColumnType.BOOLEAN;
import static io.caravan.connector.ColumnType.DATE;
import static io.caravan.connector.ColumnType.INT;
import static io.caravan.connector.ColumnType.NUMERIC;
import static io.caravan.connector.ColumnType.TEXT;
import static io.caravan.connector.ColumnType.TIMESTAMPTZ;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The record tables of the warehouse contract ({@code shared/contract/warehouse.md}), with their
 * business columns in contract order. The envelope columns ({@link #ENVELOPE}) come first in every
 * table. The Flyway migrations create exactly these; a test keeps the two in step.
 */
public enum WarehouseTable {
    LEAD("lead", cols(
            "lead_id", TEXT, "lead_at", TIMESTAMPTZ, "request_type", TEXT, "funnel_stage", TEXT,
            "channel", TEXT, "dealer_id", TEXT, "make", TEXT, "model", TEXT, "model_year", INT,
            "fuel_type", TEXT, "vin_token", TEXT, "subject_token", TEXT, "email_token", TEXT,
            "phone_token", TEXT, "postcode_area", TEXT, "sealed_identifiers", TEXT, "email_enc", TEXT, "phone_enc", TEXT)),
    SALE("sale", cols(
            "sale_id", TEXT, "dealer_id", TEXT, "sale_date", DATE, "make", TEXT, "model", TEXT,
            "model_year", INT, "fuel_type", TEXT, "condition", TEXT, "price_amount", NUMERIC,
            "currency", TEXT, "financed", BOOLEAN, "vin_token", TEXT, "wmi", TEXT,
            "subject_token", TEXT, "email_token", TEXT, "phone_token", TEXT, "postcode_area", TEXT,
            "birth_year", INT, "sealed_identifiers", TEXT)),
    CONTRACT("contract", cols(
            "contract_id", TEXT, "product", TEXT, "start_date", DATE, "end_date", DATE,
            "term_months", INT, "monthly_amount", NUMERIC, "currency", TEXT, "make", TEXT,
            "model", TEXT, "vin_token", TEXT, "subject_token", TEXT, "email_token", TEXT,
            "phone_token", TEXT, "postcode_area", TEXT, "sealed_identifiers", TEXT)),
    INSURANCE("insurance", cols(
            "insurance_id", TEXT, "event", TEXT, "event_date", DATE, "renewal_date", DATE,
            "premium_band", TEXT, "make", TEXT, "model", TEXT, "vin_token", TEXT,
            "subject_token", TEXT, "email_token", TEXT, "phone_token", TEXT, "postcode_area", TEXT,
            "sealed_identifiers", TEXT)),
    CAMPAIGN_PERFORMANCE("campaign_performance", cols(
            "platform", TEXT, "account_id", TEXT, "campaign_id", TEXT, "campaign_name", TEXT,
            "perf_date", DATE, "impressions", BIGINT, "clicks", BIGINT, "spend_amount", NUMERIC,
            "currency", TEXT, "conversions", NUMERIC, "taxonomy_valid", BOOLEAN, "brand", TEXT,
            "market", TEXT, "model", TEXT, "funnel_stage", TEXT, "channel", TEXT,
            "leads", BIGINT, "link_clicks", BIGINT, "cost_per_lead", NUMERIC));

    /** Envelope columns, on every record table, in this order. */
    public static final Map<String, ColumnType> ENVELOPE = Collections.unmodifiableMap(cols(
            "record_key", TEXT, "connector_id", TEXT, "partner_id", TEXT, "data_class", TEXT,
            "batch_id", TEXT, "ingested_at", TIMESTAMPTZ, "policy_id", TEXT, "key_id", TEXT));

    private final String tableName;
    private final Map<String, ColumnType> columns;

    WarehouseTable(String tableName, Map<String, ColumnType> columns) {
        this.tableName = tableName;
        this.columns = Collections.unmodifiableMap(columns);
    }

    /** The table's name in schema {@code caravan}. */
    public String tableName() {
        return tableName;
    }

    /** Business columns (not the envelope), in contract order. */
    public Map<String, ColumnType> columns() {
        return columns;
    }

    /** Token columns of this table ({@code *_token}). */
    public List<String> tokenColumns() {
        return columns.keySet().stream().filter(c -> c.endsWith("_token")).toList();
    }

    public boolean hasColumn(String column) {
        return columns.containsKey(column);
    }

    public static Optional<WarehouseTable> byName(String name) {
        return Arrays.stream(values()).filter(t -> t.tableName.equals(name)).findFirst();
    }

    private static Map<String, ColumnType> cols(Object... pairs) {
        Map<String, ColumnType> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], (ColumnType) pairs[i + 1]);
        }
        return map;
    }
}
