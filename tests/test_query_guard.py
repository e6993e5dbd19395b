"""No statement `crw query` accepts can write a file or read anything but the warehouse.

Every probe runs through the real CLI against a real warehouse file in a temporary folder
that also holds a secret file and a file a probe tries to overwrite. A probe passes when the
folder is byte-for-byte unchanged afterwards and the secret never reaches the output.
"""

import hashlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.cli import main
from warehouse.query_guard import QueryRefused, read_only_statement
from warehouse.store import WarehouseBuild

SECRET = "TOPSECRET-7d1f"


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sandbox")
    (root / "secret.txt").write_text(SECRET)
    (root / "victim.csv").write_text("keep me\n")
    build = WarehouseBuild(root / "cloud.duckdb")
    with build as con:
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE TABLE marts.t AS SELECT 1 AS a, 'x' AS b")
        build.changed = True
    return root


def _snapshot(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.name.endswith(".lock")
    }


def _probe(sql: str, root: Path, monkeypatch, capsys) -> tuple[int, str]:
    monkeypatch.setenv("WAREHOUSE_PATH", str(root / "cloud.duckdb"))
    monkeypatch.chdir(root)
    before = _snapshot(root)
    code = main(["query", sql, "--timeout", "10"])
    out = capsys.readouterr()
    assert _snapshot(root) == before, f"{sql!r} changed the folder"
    assert SECRET not in out.out + out.err, f"{sql!r} read the secret"
    assert "Traceback" not in out.err
    return code, out.err


def _targets(root: Path) -> dict[str, str]:
    return {"secret": str(root / "secret.txt"), "victim": str(root / "victim.csv")}


# The statements an attacker (or a careless paste) would try, with {victim}/{secret} paths.
ATTACKS = [
    "COPY (SELECT 'x') TO '{victim}'",
    "COPY marts.t TO '{victim}' (FORMAT csv)",
    "COPY marts.t FROM '{secret}'",
    "EXPORT DATABASE '{victim}.dir'",
    "ATTACH '{victim}.duckdb' AS other",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SET enable_external_access = true",
    "SET lock_configuration = false",
    "RESET enable_external_access",
    "PRAGMA enable_profiling",
    "CALL pragma_version()",
    "CHECKPOINT",
    "CREATE TABLE marts.x AS SELECT 1",
    "INSERT INTO marts.t VALUES (2, 'y')",
    "SELECT * FROM read_text('{secret}')",
    "SELECT * FROM read_blob('{secret}')",
    "SELECT * FROM read_csv('{secret}')",
    "SELECT * FROM '{secret}'",
    "SELECT * FROM glob('{secret}')",
    "SELECT * FROM glob('~/*')",
    "SELECT getenv('HOME')",
    "SELECT * FROM read_text('/proc/self/environ')",
    "SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')",
    "SELECT * FROM 'https://example.invalid/x.parquet'",
    "SELECT * FROM query('COPY (SELECT 1) TO ''{victim}''')",
]
WRAPPERS = [
    "{}",
    "EXPLAIN {}",
    "EXPLAIN ANALYZE {}",
    "explain analyze {}",
    "/* hi */ EXPLAIN /* there */ ANALYZE {}",
    "EXPLAIN (FORMAT json) {}",
    "-- comment\n{}",
    "\u3000EXPLAIN\u00a0ANALYZE\u2028{}",
    "WITH q AS (SELECT 1) {}",
]


@pytest.mark.parametrize("wrapper", WRAPPERS)
@pytest.mark.parametrize("attack", ATTACKS)
def test_no_known_attack_touches_anything(sandbox, monkeypatch, capsys, attack, wrapper):
    code, _ = _probe(
        wrapper.format(attack.format(**_targets(sandbox))), sandbox, monkeypatch, capsys
    )
    assert code == 1


def test_the_reported_exploit_is_refused_before_duckdb(sandbox, monkeypatch, capsys):
    sql = f"EXPLAIN ANALYZE COPY (SELECT 'x') TO '{sandbox / 'victim.csv'}'"
    code, err = _probe(sql, sandbox, monkeypatch, capsys)
    assert code == 1
    assert "refused: COPY statements are not allowed" in err


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM marts.t",
        "FROM marts.t",
        "WITH q AS (SELECT a FROM marts.t) SELECT * FROM q",
        "EXPLAIN SELECT * FROM marts.t",
        "EXPLAIN ANALYZE SELECT * FROM marts.t",
        "PIVOT marts.t ON b USING sum(a)",
        "UNPIVOT (SELECT 1 AS x, 2 AS y) ON x, y INTO NAME n VALUE v",
        "DESCRIBE marts.t",
        "SUMMARIZE marts.t",
        "SHOW TABLES",
        "VALUES (1), (2)",
        "SELECT 1 /* a comment */",
    ],
)
def test_read_only_queries_run(sandbox, monkeypatch, capsys, sql):
    code, err = _probe(sql, sandbox, monkeypatch, capsys)
    assert code == 0, err


def test_explain_analyze_of_a_pivot_is_allowed():
    sql = "EXPLAIN ANALYZE PIVOT marts.t ON b USING sum(a)"
    assert read_only_statement(sql) == sql
    with pytest.raises(QueryRefused, match="EXPLAIN statements are not allowed"):
        read_only_statement("EXPLAIN SELECT 1", allow_explain=False)


_noise = st.sampled_from(["", " ", "\n", "\t", "\u3000", "\u00a0", "\u2028", "/* x */", "-- y\n"])


@st.composite
def statements(draw) -> str:
    """A dangerous statement inside random wrappers, case and separators."""
    attack = draw(st.sampled_from(ATTACKS))
    if draw(st.booleans()):
        attack = attack.swapcase() if "'" not in attack else attack
    prefix = draw(st.sampled_from(["", "EXPLAIN ", "EXPLAIN ANALYZE ", "WITH q AS (SELECT 1) "]))
    return draw(_noise) + prefix + draw(_noise) + attack + draw(_noise)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(sql=statements())
def test_property_no_generated_statement_touches_anything(sandbox, monkeypatch, capsys, sql):
    _probe(sql.format(**_targets(sandbox)), sandbox, monkeypatch, capsys)
