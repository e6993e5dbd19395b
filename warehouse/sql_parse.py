"""What the model runner needs from a SQL file, parsed with sqlglot once per file content.

A model's kind (a query or a table macro), the macro it creates and the relations it reads
come from parsing its SQL. Importing sqlglot and parsing the ~50 model and test files was
most of building the code location's definitions, paid by every run and every reload of
`dagster dev`, for files that rarely change. So the facts are kept in a small JSON file
beside the warehouse file (`settings.sql_parse_cache_path`, git-ignored), keyed on a hash of
the file's text, the sqlglot version and this module's own source: any edit parses again.
A file that does not parse or breaks a rule is never cached; its error is raised each time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from warehouse.atomic_files import write_file_atomically

if TYPE_CHECKING:
    from sqlglot import exp

MACRO, QUERY = "macro", "query"


class ModelError(ValueError):
    """A model file, its docs or its tests are wrong; the message names the file."""


@dataclass(frozen=True)
class ParsedSql:
    """The facts of a file's one statement the runner uses."""

    kind: str  # MACRO, QUERY, or the statement's type ("insert", …), which a model must not be
    creates: str | None  # `schema.name` a CREATE OR REPLACE MACRO defines, else None
    reads: frozenset[str]  # schema-qualified relations read (tables and table macros)


def _statement(sql: str, file: str) -> exp.Expr:
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ParseError

    try:
        statements = [
            s
            for s in sqlglot.parse(sql, read="duckdb")
            if s is not None and not isinstance(s, exp.Semicolon)
        ]
    except ParseError as error:
        raise ModelError(f"{file}: is not valid DuckDB SQL: {error}") from None
    if len(statements) != 1:
        raise ModelError(f"{file}: must hold exactly one statement, found {len(statements)}")
    return statements[0]


def references(statement: exp.Expr, file: str) -> frozenset[str]:
    """The schema-qualified relations (tables and table macros) a statement reads; CTE names
    and built-in table functions are not relations."""
    from sqlglot import exp

    ctes = {cte.alias_or_name.lower() for cte in statement.find_all(exp.CTE)}
    created = statement.this.find(exp.Table) if isinstance(statement, exp.Create) else None
    found = set()
    for table in statement.find_all(exp.Table):
        if table is created:
            continue
        if table.catalog:
            raise ModelError(
                f"{file}: refers to {table.sql('duckdb')}; name tables as "
                "<schema>.<table> inside this warehouse"
            )
        if isinstance(table.this, exp.Anonymous) and table.db:
            found.add(f"{table.db}.{table.this.name}".lower())
        elif isinstance(table.this, exp.Identifier):
            if table.db:
                found.add(f"{table.db}.{table.name}".lower())
            elif table.name.lower() not in ctes:
                raise ModelError(
                    f"{file}: refers to '{table.name}' without a schema; write "
                    f"raw.{table.name}, staging.{table.name} or "
                    f"marts.{table.name}"
                )
    return frozenset(found)


def parse_sql(sql: str, file: str) -> ParsedSql:
    """Parse one file's SQL (`file` names it in errors)."""
    from sqlglot import exp

    statement = _statement(sql, file)
    creates = None
    if isinstance(statement, exp.Create) and statement.args.get("kind") == "MACRO":
        kind = MACRO
        if statement.args.get("replace"):
            created = statement.this.find(exp.Table)
            creates = f"{created.db}.{created.name}".lower()
    elif isinstance(statement, exp.Query | exp.Pivot):
        kind = QUERY
    else:
        kind = statement.key
    return ParsedSql(kind, creates, references(statement, file))


def _salt() -> bytes:
    """What else decides a parse: the parser's version and this module's code."""
    return metadata.version("sqlglot").encode() + Path(__file__).read_bytes()


class ParseCache:
    """`ParsedSql` by content hash, read from and written back to one JSON file. Only the
    entries used by the last load are written back, so the file does not grow with edits."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self._stored = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):  # none yet, or unreadable: parse everything
            self._stored = {}
        self._salt = hashlib.sha256(_salt()).digest()
        self._used: dict[str, dict[str, Any]] = {}

    def parsed(self, sql: str, file: str) -> ParsedSql:
        key = hashlib.sha256(self._salt + sql.encode()).hexdigest()
        entry: dict[str, Any] | None = self._stored.get(key)
        if entry is None:
            facts = parse_sql(sql, file)
            entry = {"kind": facts.kind, "creates": facts.creates, "reads": sorted(facts.reads)}
        self._used[key] = entry
        return ParsedSql(entry["kind"], entry["creates"], frozenset(entry["reads"]))

    def save(self) -> None:
        """Write the entries used back if they changed; a folder that is missing or not
        writable only means the next load parses again."""
        if self._used == self._stored or not self.path.parent.is_dir():
            return
        with contextlib.suppress(OSError):
            write_file_atomically(self.path, json.dumps(self._used, sort_keys=True).encode())
