-- The report's dated events that state no value (partnerships, launches, openings …), one row
-- per event, in the order the report tells them, each with the quote and where it starts.
SELECT
    report_id, event_id, period, date_as_printed, entity, entity_zh, event_type, is_forecast,
    description, section, data_source, data_source_name, note, quote, page, doc_line
FROM staging.stg_report_events
ORDER BY report_id, doc_line, event_id
