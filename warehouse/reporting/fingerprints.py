"""What a table's rows and columns hash to, so that a run redraws a chart or rewrites a site
file only when the data behind it changed (equal fingerprints, equal output)."""

import hashlib

import duckdb


def table_fingerprint(con: duckdb.DuckDBPyConnection, quoted: str, columns: object) -> str:
    """Row count, the sum of DuckDB's row hashes and a hash of `columns` (names and types)."""
    [(rows, total)] = con.execute(
        f"SELECT count(*), sum(hash(*COLUMNS(*)))::VARCHAR FROM {quoted}"
    ).fetchall()
    return f"{rows}:{total}:{hashlib.sha256(repr(columns).encode()).hexdigest()}"
