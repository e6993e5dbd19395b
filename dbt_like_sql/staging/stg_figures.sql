-- Every figure of every figures table in one long table: units normalized to their base unit
-- (value_base = value × units.factor), the period as a date range, the report and the cited
-- source attached, provenance kept. Its rows come from staging.stg_figure_rows and the
-- per-table models staging.stg_<table> select from it; both are generated from
-- sources/tables.yaml (warehouse/figure_models.py), so a new figures table needs no SQL here.
WITH figures AS (
    SELECT * FROM staging.stg_figure_rows
),

period_parts AS (
    -- A period is one part (2022, 2022H1, 2022Q3, 2022-11, 2022-11-30, or a fiscal FY2023Q2)
    -- or an interval of two (2021/2026): each part's first day and its length in months (0 for
    -- a single day). FY<n> is the fiscal year ending in the entity's fiscal_year_end_month of n.
    SELECT
        entity,
        part,
        CASE
            WHEN part[1:2] = 'FY' THEN CAST(
                make_date(CAST(part[3:6] AS INTEGER) - 1, fiscal_year_end_month, 1)
                + to_months(1 + CASE part[7]
                    WHEN 'H' THEN 6 * (CAST(part[8] AS INTEGER) - 1)
                    WHEN 'Q' THEN 3 * (CAST(part[8] AS INTEGER) - 1)
                    ELSE 0
                END) AS DATE)
            WHEN length(part) = 4 THEN make_date(CAST(part AS INTEGER), 1, 1)
            WHEN part[5] = 'H'
                THEN make_date(CAST(part[1:4] AS INTEGER), 6 * CAST(part[6] AS INTEGER) - 5, 1)
            WHEN part[5] = 'Q'
                THEN make_date(CAST(part[1:4] AS INTEGER), 3 * CAST(part[6] AS INTEGER) - 2, 1)
            WHEN length(part) = 7 THEN CAST(part || '-01' AS DATE)
            ELSE CAST(part AS DATE)
        END AS first_day,
        CASE
            WHEN part[1:2] = 'FY' THEN CASE part[7] WHEN 'H' THEN 6 WHEN 'Q' THEN 3 ELSE 12 END
            WHEN length(part) = 4 THEN 12
            WHEN part[5] = 'H' THEN 6
            WHEN part[5] = 'Q' THEN 3
            WHEN length(part) = 7 THEN 1
            ELSE 0
        END AS months
    FROM (SELECT DISTINCT entity, unnest(string_split(period, '/')) AS part FROM figures) AS parts
    LEFT JOIN staging.stg_fiscal_calendars USING (entity)
),

part_bounds AS (
    SELECT
        entity,
        part,
        first_day,
        CASE months
            WHEN 0 THEN first_day
            ELSE CAST(first_day + to_months(months) - INTERVAL 1 DAY AS DATE)
        END AS last_day
    FROM period_parts
)

SELECT
    -- stable across refreshes: report_id/table/dimension values/entity/metric/period
    concat_ws('/', f.report_id, f.table_name, array_to_string(map_values(f.dimensions), '/'),
              f.entity, f.metric, f.period) AS figure_id,
    f.table_name,
    f.topic,
    f.report_id,
    f.dimensions,
    f.entity,
    f.entity_zh,
    f.metric,
    f.period,
    first_part.first_day AS period_start,
    last_part.last_day AS period_end,
    f.is_forecast,
    f.value,
    f.unit,
    f.value_qualifier,
    f.value_decimals,
    -- value × factor, rounded to 12 significant digits: the product's float noise
    -- (7459999999.999999, 0.35000000000000003) is not a figure
    CASE
        WHEN f.value * u.factor = 0 THEN 0
        ELSE round(f.value * u.factor, CAST(11 - floor(log10(abs(f.value * u.factor))) AS INTEGER))
    END AS value_base,
    u.base_unit,
    u.currency,
    -- the topic-mart column: metric + unit suffix, without repeating a unit word the metric
    -- already names (gpu_hours in hours, not gpu_hours_hours; depreciation_saving_cny_100m)
    CASE
        WHEN u.column_suffix = '' THEN f.metric
        WHEN list_contains(string_split(f.metric, '_'), u.column_suffix) THEN f.metric
        WHEN ends_with(f.metric, '_' || split_part(u.column_suffix, '_', 1))
            THEN f.metric
                || substr(u.column_suffix, length(split_part(u.column_suffix, '_', 1)) + 1)
        ELSE f.metric || '_' || u.column_suffix
    END AS measure,
    f.section,
    f.data_source,
    s.data_source_name,
    f.note,
    f.quote,
    f.page,
    f.doc_line,
    r.title AS report_title,
    r.publisher,
    r.publication_date,
    f.source_file,
    f.source_line
FROM figures AS f
LEFT JOIN part_bounds AS first_part
    ON first_part.entity = f.entity AND first_part.part = split_part(f.period, '/', 1)
LEFT JOIN part_bounds AS last_part
    ON last_part.entity = f.entity AND last_part.part = string_split(f.period, '/')[-1]
LEFT JOIN staging.stg_units AS u USING (unit)
LEFT JOIN staging.stg_data_sources AS s USING (data_source)
LEFT JOIN staging.stg_reports AS r USING (report_id)
