-- GPUs per scenario and workload (the report's baseline and every other scenario).
SELECT
    scenario,
    workload,
    gpus
FROM marts.gpu_demand
ORDER BY scenario, workload
