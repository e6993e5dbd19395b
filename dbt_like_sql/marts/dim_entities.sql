-- Everything a figure is about (a segment, a vendor, a market, a model): one row per English
-- entity id with the Chinese name the reports print (the most frequent one if they print
-- several, all of them in names_zh) and the tables it appears in.
SELECT
    entity,
    mode(entity_zh ORDER BY entity_zh) AS entity_zh,
    list(DISTINCT entity_zh ORDER BY entity_zh) AS names_zh,
    list(DISTINCT table_name ORDER BY table_name) AS tables,
    count(*) AS figures
FROM staging.stg_figures
GROUP BY entity
ORDER BY entity
