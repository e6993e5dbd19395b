-- Accelerators for the GPU demand sensitivity grid (sources/accelerators.csv): published dense
-- throughput per precision, in TFLOPS and in FLOPS.
SELECT
    accelerator,
    precision,
    dense_tflops,
    dense_tflops * 1e12 AS dense_flops,
    source
FROM raw.accelerators
