"""The warehouse core: source registry, validation, DuckDB access and publication.

Nothing in this package imports Dagster, so the query CLI starts fast and the same code
serves notebooks, tests and the Dagster code location in `pipelines/`.
"""
