-- The report's dated events without a value (raw.report_events), with the cited source's
-- name; every row's quote was found in its report's document when it was loaded.
SELECT
    e.report_id,
    e.event_id,
    e.period,
    e.date_as_printed,
    e.entity,
    e.entity_zh,
    e.event_type,
    e.is_forecast,
    e.description,
    e.section,
    e.data_source,
    s.data_source_name,
    e.note,
    e.quote,
    e.page,
    e.doc_line,
    e.source_file,
    e.source_line
FROM raw.report_events AS e
LEFT JOIN staging.stg_data_sources AS s USING (data_source)
