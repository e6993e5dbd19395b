-- Everything a figure is about (a segment, a vendor, a market, a model): one row per English
-- entity id with the Chinese name the reports print (the most frequent one if they print
-- several, all of them in names_zh) and the tables it appears in. Combined entities (figures
-- the report states for several vendors or segments together) say what they combine.
WITH combined (entity, note) AS (
    VALUES
        ('top3_amazon_microsoft_alibaba',
         'Amazon (AWS), Microsoft (Azure) and Alibaba Cloud together: the three largest global IaaS vendors; the report gives no individual shares'),  -- noqa: LT05
        ('chinese_vendors_alibaba_huawei_tencent',
         'Alibaba Cloud, Huawei Cloud and Tencent Cloud together (global IaaS); overlaps top3_amazon_microsoft_alibaba in Alibaba Cloud'),  -- noqa: LT05
        ('vendors_ranked_2_to_4',
         'The vendors ranked 2nd to 4th in China public cloud IaaS together; the report does not name them'),  -- noqa: LT05
        ('telecom_carriers',
         'China Mobile, China Telecom and China Unicom clouds together'),
        ('total', 'All segments of the table together (合计, or the whole market)')
)

SELECT
    f.entity,
    mode(f.entity_zh ORDER BY f.entity_zh) AS entity_zh,
    list(DISTINCT f.entity_zh ORDER BY f.entity_zh) AS names_zh,
    list(DISTINCT f.table_name ORDER BY f.table_name) AS tables,
    count(*) AS figures,
    any_value(c.entity) IS NOT NULL AS is_group,
    any_value(c.note) AS note
FROM staging.stg_figures AS f
LEFT JOIN combined AS c USING (entity)
GROUP BY f.entity
ORDER BY f.entity
