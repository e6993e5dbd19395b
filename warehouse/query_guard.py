"""Which SQL `crw query` accepts: exactly one query, or an EXPLAIN of one.

This is the first of two guards. The second is the connection itself
(`store.connect_readonly`): read-only, no file system, no extensions, configuration locked.
The engine guard is what makes a query harmless; this one refuses everything else early with a
message a person can act on, and keeps `EXPLAIN ANALYZE` (which executes its statement) to
queries.
"""

from __future__ import annotations

import duckdb

# SELECT covers WITH, FROM-first queries, VALUES, SHOW, DESCRIBE, SUMMARIZE and UNPIVOT.
QUERY_TYPES = frozenset({duckdb.StatementType.SELECT})
# DuckDB plans a PIVOT whose columns come from the data as several statements (MULTI).
PIVOT_KEYWORDS = frozenset({"PIVOT", "PIVOT_WIDER"})
QUERY_STARTS = PIVOT_KEYWORDS | {"WITH", "FROM", "SELECT", "("}
ALLOWED = "SELECT, WITH, FROM, VALUES, SHOW, DESCRIBE, SUMMARIZE, PIVOT, UNPIVOT, EXPLAIN"


class QueryRefused(ValueError):
    """The SQL is not a single read-only query."""


def _words(sql: str) -> list[tuple[int, str]]:
    """(offset, upper-cased text) of each token that is not a comment."""
    tokens = duckdb.tokenize(sql)
    ends = [start for start, _ in tokens[1:]] + [len(sql)]
    return [
        (start, sql[start:end].strip().upper())
        for (start, kind), end in zip(tokens, ends, strict=True)
        if kind != duckdb.token_type.comment
    ]


def _explained(sql: str) -> str:
    """The statement an EXPLAIN [ANALYZE] [(options)] statement explains."""
    words = _words(sql)
    index = 1  # words[0] is EXPLAIN
    if index < len(words) and words[index][1] == "ANALYZE":
        index += 1
    if index < len(words) and words[index][1] == "(":
        depth = 0
        while index < len(words):
            depth += {"(": 1, ")": -1}.get(words[index][1], 0)
            index += 1
            if depth == 0:
                break
    if index >= len(words):
        raise QueryRefused("EXPLAIN of nothing: give the query to explain")
    return sql[words[index][0] :]


def _check_query(statement: duckdb.Statement, sql: str) -> None:
    if statement.type in QUERY_TYPES:
        return
    words = [word for _, word in _words(sql)]
    if (
        statement.type == duckdb.StatementType.MULTI
        and words[0] in QUERY_STARTS
        and PIVOT_KEYWORDS.intersection(words)
    ):
        return
    kind = statement.type.name.replace("_", " ")
    raise QueryRefused(
        f"refused: {kind} statements are not allowed, the warehouse is read-only here. "
        f"Only queries ({ALLOWED}) can run; the warehouse is written by `crw refresh` and the "
        "Dagster pipeline, and `crw query --output FILE` exports a result."
    )


def _single(sql: str) -> duckdb.Statement:
    statements = duckdb.extract_statements(sql)
    if len(statements) != 1:
        raise QueryRefused(
            f"expected exactly one SQL statement, got {len(statements)}; run them one at a time"
        )
    return statements[0]


def read_only_statement(sql: str, *, allow_explain: bool = True) -> str:
    """The one read-only statement in `sql`, or QueryRefused saying what is wrong with it.
    SQL that does not parse raises DuckDB's own ParserException."""
    statement = _single(sql)
    text = statement.query
    explain = statement.type in (duckdb.StatementType.EXPLAIN, duckdb.StatementType.MULTI) and (
        _words(text)[0][1] == "EXPLAIN"
    )
    if explain and allow_explain:
        inner = _explained(text)
        _check_query(_single(inner), inner)
    else:
        _check_query(statement, text)
    return text
