"""Where things live. Every path can be overridden by an environment variable, so tests,
benchmarks and a future shared deployment change configuration, not code."""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _path_from_env(name: str, default: Path) -> Path:
    """An absolute path, symlinks kept: the published warehouse file is a symlink into its
    current version, and resolving it here would pin a reader to one version."""
    value = os.environ.get(name)
    return Path(os.path.abspath(Path(value).expanduser())) if value else default


def warehouse_path() -> Path:
    """The published DuckDB file that readers open (`WAREHOUSE_PATH`)."""
    return _path_from_env("WAREHOUSE_PATH", PROJECT_ROOT / "warehouse" / "cloud.duckdb")


def sql_parse_cache_path() -> Path:
    """What the SQL files parsed to, kept beside the warehouse file (see warehouse/sql_parse.py)."""
    published = warehouse_path()
    return published.with_name(f".{published.name}.sql-parse-cache.json")


def sources_dir() -> Path:
    """The folder of hand-transcribed report tables (`SOURCES_PATH`)."""
    return _path_from_env("SOURCES_PATH", PROJECT_ROOT / "sources")


def models_dir() -> Path:
    """The dbt-like folder of SQL models (`MODELS_PATH`)."""
    return _path_from_env("MODELS_PATH", PROJECT_ROOT / "dbt_like_sql")


def extractions_dir() -> Path:
    """Each report's extracted mentions, kept beside the warehouse file on the same volume
    (`EXTRACTIONS_PATH`): written by the per-report partitions, read by the coverage step."""
    published = warehouse_path()
    return _path_from_env("EXTRACTIONS_PATH", published.with_name(f".{published.name}.extractions"))


def quote_checks_dir() -> Path:
    """Where each source file's passed quote checks are kept, beside the warehouse file
    (see warehouse/kept_quote_checks.py)."""
    published = warehouse_path()
    return published.with_name(f".{published.name}.quote-checks")
