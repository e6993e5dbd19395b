-- Each project's counts of cabinets and racks and its compute (PFLOPS), as the report states
-- them; the draw code names these columns in DATACENTER_COUNTS and DATACENTER_COMPUTE.
SELECT
    name_zh,
    cabinets,
    phase1_cabinets,
    phase2_cabinets,
    cabinets_per_building,
    standard_cabinets,
    racks,
    standard_rack_equivalents,
    planned_compute_pflops,
    built_compute_pflops
FROM marts.datacenter_projects
WHERE report_id = $1
ORDER BY name_zh
