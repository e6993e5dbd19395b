"""The arrows between the modules of `warehouse/` point down, read from the source (no import).

`warehouse/` is the core that notebooks, the query CLI and the Dagster code location share,
so it imports neither `pipelines/` nor Dagster. Inside it, modules sit on explicit layers and
import only from their own layer or the ones below: load-time validation (`rules`) shares the
interval arithmetic and figure rows of the ground floor with the audit, and never reaches up
into the derived metrics that use it. A new module must be placed on a layer here.
"""

import ast
from pathlib import Path

import pytest

from warehouse import settings

# Bottom to top. An entry names a module or a package (then every module inside it).
LAYERS: tuple[tuple[str, ...], ...] = (
    # ground floor: paths, relation names, file reading, interval arithmetic, figure rows,
    # publication
    (
        "warehouse",
        "warehouse.settings",
        "warehouse.relations",
        "warehouse.source_files",
        "warehouse.intervals",
        "warehouse.figures",
        "warehouse.figure_columns",
        "warehouse.qualifiers",
        "warehouse.cells",
        "warehouse.publication",
        "warehouse.atomic_files",
    ),
    # the registry of sources, their documents and docs; DuckDB access
    (
        "warehouse.registry",
        "warehouse.problems",
        "warehouse.docs",
        "warehouse.documents",
        "warehouse.store",
        "warehouse.sql_parse",
        "warehouse.query_guard",
        "warehouse.xlsx",
    ),
    # building and reading the warehouse: validation, loading, SQL models, extraction, queries
    (
        "warehouse.rules",
        "warehouse.schemas",
        "warehouse.quotes",
        "warehouse.kept_quote_checks",
        "warehouse.loading",
        "warehouse.models",
        "warehouse.figure_models",
        "warehouse.extraction",
        "warehouse.query",
    ),
    # derived metrics over the loaded figures
    ("warehouse.metrics",),
    # what people read: charts, the report page, the data dictionary, whole-table exports
    ("warehouse.reporting", "warehouse.describe", "warehouse.export"),
)
FORBIDDEN_ROOTS = ("pipelines", "dagster")


def _module_name(path: Path) -> str:
    parts = path.relative_to(settings.PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    _module_name(path): path
    for path in sorted((settings.PROJECT_ROOT / "warehouse").rglob("*.py"))
    if "__pycache__" not in path.parts
}


def _imports(module: str) -> set[str]:
    """Every module `module` imports, anywhere in its body; `from a import b` counts as `a.b`
    when that is a module of the project, else as `a`."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in MODULES else base)
    return found


def _layer(module: str) -> int:
    """The layer of the longest entry naming `module` or a package holding it."""
    matches = [
        (len(entry), index)
        for index, entries in enumerate(LAYERS)
        for entry in entries
        if module == entry or module.startswith(f"{entry}.")
    ]
    if not matches:
        raise AssertionError(f"{module} is on no layer: place it in LAYERS of {__file__}")
    return max(matches)[1]


def test_every_module_is_on_a_layer() -> None:
    for module in MODULES:
        _layer(module)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_warehouse_imports_neither_pipelines_nor_dagster(module: str) -> None:
    outside = sorted(
        name for name in _imports(module) if name.split(".")[0].startswith(FORBIDDEN_ROOTS)
    )
    assert not outside, f"{module} imports {outside}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module: str) -> None:
    upward = sorted(
        name for name in _imports(module) if name in MODULES and _layer(name) > _layer(module)
    )
    assert not upward, f"{module} (layer {_layer(module)}) imports higher layers: {upward}"


def test_load_rules_do_not_import_the_metrics() -> None:
    """The issue's upward arrow by name: validation shares the ground floor with the audit."""
    for module in ("warehouse.rules", "warehouse.schemas", "warehouse.loading"):
        assert not {n for n in _imports(module) if n.startswith("warehouse.metrics")}


def test_the_reader_finds_imports_in_both_forms() -> None:
    """`from a.b import name` counts as `a.b`, `from a import module` as `a.module`, so the
    tests above see every edge (the GPU charts use the first form, docs the second)."""
    assert "warehouse.metrics.gpu_demand" in _imports("warehouse.reporting.charts.gpu")
    assert "warehouse.settings" in _imports("warehouse.docs")
