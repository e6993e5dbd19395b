"""Derived metrics computed in Python: what SQL cannot say clearly (the GPU demand model with
its report-style rounding, CAGRs over irregular spans, interval arithmetic for the audit)."""
