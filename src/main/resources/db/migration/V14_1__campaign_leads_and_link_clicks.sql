-- Canonical ad metrics beside conversions (issue 14): Meta reports them in actions[] and
-- cost_per_action_type[] by action type, which connector descriptors map onto these columns
-- (actions[action_type=lead].value); platforms that do not report them leave them null.
ALTER TABLE caravan.campaign_performance ADD COLUMN leads bigint;
ALTER TABLE caravan.campaign_performance ADD COLUMN link_clicks bigint;
ALTER TABLE caravan.campaign_performance ADD COLUMN cost_per_lead numeric(14,4);
