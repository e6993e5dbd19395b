"""Asset factories, one module per layer: raw (sources), models (SQL), metrics (Python)."""
