-- What-if scenarios for the GPU demand model (sources/gpu_scenarios.csv): each row overrides
-- one of the report's gpu_model assumptions, with the value also in its base unit.
SELECT
    g.scenario,
    g.description,
    g.parameter,
    g.value,
    g.unit,
    g.value * u.factor AS value_base,
    u.base_unit,
    g.source
FROM raw.gpu_scenarios AS g
LEFT JOIN staging.stg_units AS u USING (unit)
