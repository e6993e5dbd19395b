"""The README's example queries print what the README shows: each `$ .venv/bin/crw query "…"`
block, run against a warehouse built from the real sources, gives the output under it line for
line (the figures are the report's as printed), so an example cannot go stale unseen."""

import re

import pytest

from pipelines.cli import main
from warehouse import settings

README = settings.PROJECT_ROOT / "README.md"
EXAMPLE = re.compile(r'```sh\n\$ \.venv/bin/crw query "(?P<sql>.*?)"\n(?P<output>.*?)```', re.S)
EXAMPLES = [(" ".join(m["sql"].split()), m["output"]) for m in EXAMPLE.finditer(README.read_text())]


def test_the_readme_has_its_five_questions():
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize(("sql", "output"), EXAMPLES, ids=[sql[:60] for sql, _ in EXAMPLES])
def test_readme_query_prints_what_the_readme_shows(
    sql, output, built_warehouse, monkeypatch, capsys
):
    monkeypatch.setenv("WAREHOUSE_PATH", str(built_warehouse))
    assert main(["query", sql]) == 0
    printed = [line.rstrip() for line in capsys.readouterr().out.splitlines()]
    assert printed == [line.rstrip() for line in output.splitlines()]
