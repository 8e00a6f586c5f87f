-- Media spend versus sales (issue 6): one row per ISO week (Monday), model and spend currency,
-- joining ad-platform spend (campaign_performance) with dealer sales (sale). Analysts query it
-- directly; the ops console reads it through GET /api/dashboards/media-vs-sales.
--
-- How a campaign's model segment matches sale.model: both sides are normalised by
-- caravan.model_key(text) = lower case with everything but letters and digits removed, so the
-- campaign naming convention's "id4", "ID.4" and "Id 4" all match a DMS's "ID.4", and "golf" matches
-- "Golf". Only campaigns whose name follows the naming convention (taxonomy_valid) and carries a
-- model segment count as spend on a model. Every sale counts (new and used), by sale_date's week.
-- A week and model with spend but no sales has sales 0 and cost_per_sale null; one with sales but
-- no spend has spend 0. cost_per_sale = spend / sales, rounded to cents. No personal data.

CREATE FUNCTION caravan.model_key(model text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT
    RETURN nullif(lower(regexp_replace(model, '[^[:alnum:]]', '', 'g')), '');

CREATE VIEW caravan.media_spend_vs_sales AS
WITH spend AS (
    SELECT date_trunc('week', perf_date)::date AS week,
           caravan.model_key(model)            AS model,
           min(model)                          AS campaign_model,
           currency,
           sum(spend_amount)                   AS spend,
           sum(impressions)                    AS impressions,
           sum(clicks)                         AS clicks
      FROM caravan.campaign_performance
     WHERE taxonomy_valid AND caravan.model_key(model) IS NOT NULL AND perf_date IS NOT NULL
     GROUP BY 1, 2, 4
), sold AS (
    SELECT date_trunc('week', sale_date)::date AS week,
           caravan.model_key(model)            AS model,
           count(*)                            AS sales
      FROM caravan.sale
     WHERE caravan.model_key(model) IS NOT NULL AND sale_date IS NOT NULL
     GROUP BY 1, 2
), names AS (
    -- one display name per model: how dealers spell it most often (ties: alphabetically first)
    SELECT caravan.model_key(model) AS model, mode() WITHIN GROUP (ORDER BY model) AS sale_model
      FROM caravan.sale WHERE caravan.model_key(model) IS NOT NULL
     GROUP BY 1
)
SELECT coalesce(spend.week, sold.week)                          AS week,
       coalesce(spend.model, sold.model)                        AS model,
       coalesce(names.sale_model, spend.campaign_model)         AS model_name,
       spend.currency                                           AS currency,
       coalesce(spend.spend, 0)::numeric(16,2)                  AS spend,
       coalesce(sold.sales, 0)                                  AS sales,
       round(spend.spend / nullif(sold.sales, 0), 2)            AS cost_per_sale,
       coalesce(spend.impressions, 0)                           AS impressions,
       coalesce(spend.clicks, 0)                                AS clicks
  FROM spend
  FULL JOIN sold ON sold.week = spend.week AND sold.model = spend.model
  LEFT JOIN names ON names.model = coalesce(spend.model, sold.model);

COMMENT ON VIEW caravan.media_spend_vs_sales IS
    'Ad spend (campaign_performance, taxonomy-valid campaigns) versus dealer sales per ISO week and model; models matched by caravan.model_key()';
