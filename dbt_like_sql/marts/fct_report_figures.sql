-- Every figure the reports state, one row each, long format: the value as stated and in its
-- base unit, its period as dates, whether it is a forecast, where it comes from (report,
-- section, cited source, source file and line) and the span of the report that states it
-- (quote, and the page and line of the report's document where it starts, as in
-- raw.report_lines). figure_id (from staging.stg_figures) is stable across refreshes:
-- report_id/table/dimension values/entity/metric/period.
SELECT
    figure_id,
    report_id,
    table_name,
    -- the topic mart that shows the figure: marts.<topic> (tables.yaml's `topic:`)
    topic,
    dimensions,
    -- the same as text, `region=china` (several: sorted, `;`-separated); '' when none
    coalesce(array_to_string(list_sort(list_transform(map_entries(dimensions),
                                                      lambda e: e.key || '=' || e.value)), ';'),
             '') AS dimension,
    metric,
    entity,
    entity_zh,
    period,
    period_start,
    period_end,
    is_forecast,
    value,
    unit,
    value_qualifier,
    value_decimals,
    value_base,
    base_unit,
    currency,
    data_source,
    data_source_name,
    section,
    quote,
    page,
    doc_line,
    source_file,
    source_line,
    note
FROM staging.stg_figures
ORDER BY report_id, table_name, source_line
