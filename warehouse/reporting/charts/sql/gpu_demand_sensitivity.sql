-- The sensitivity grid: GPUs provisioned per accelerator, utilization and training window.
SELECT
    accelerator,
    precision,
    gpu_throughput_tflops,
    gpu_utilization_pct,
    training_window_days,
    gpus_provisioned
FROM marts.gpu_demand_sensitivity
ORDER BY gpu_throughput_tflops, gpu_utilization_pct, training_window_days
