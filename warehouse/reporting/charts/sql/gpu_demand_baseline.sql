-- The report's own training setting (throughput, utilization, window in days), whose cell
-- the sensitivity chart outlines; parameters: the baseline scenario and the workload.
SELECT
    gpu_throughput_tflops,
    gpu_utilization_pct,
    training_window_months * days_per_month AS training_window_days
FROM marts.gpu_demand
WHERE scenario = $1 AND workload = $2
