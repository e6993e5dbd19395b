"""Derived metrics computed in Python: what SQL cannot say clearly (the GPU demand model with
its report-style rounding, CAGRs over irregular spans, the arithmetic audit). The interval
arithmetic and figure rows they share with load-time validation sit one floor down, in
`warehouse.intervals` and `warehouse.figures`, so validation never imports a metric."""
