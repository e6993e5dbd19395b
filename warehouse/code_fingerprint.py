"""What a cached result was computed by: the source of a module and of every `warehouse` module
it imports, directly or through others, lazily inside a function too. A cache keyed on it goes
stale when code that can change its result changes, and survives edits anywhere else (keyed on
the whole package, any edit made a thousand reports' stored extractions stale: ~50 s of
extraction on the next refresh)."""

from __future__ import annotations

import ast
import hashlib
from functools import cache
from pathlib import Path

_ROOT = Path(__file__).resolve().parent
_PACKAGE = _ROOT.name


def _file(module: str) -> Path | None:
    """The source file of a `warehouse` module or package; None for anything else (another
    library, or a name imported from a module rather than a module)."""
    first, *rest = module.split(".")
    if first != _PACKAGE:
        return None
    base = _ROOT.joinpath(*rest)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported(path: Path, module: str) -> set[str]:
    """Every name the module's imports could refer to as a module: `from a import b` may
    import the module `a.b`, or the name `b` of `a`."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_bytes(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's package, `level - 1` packages up
                anchor = package.split(".")[: package.count(".") + 2 - node.level]
                base = ".".join([*anchor, *filter(None, [node.module])])
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def module_files(module: str) -> list[Path]:
    """The files of `module`, of the packages it is in (importing it runs their
    `__init__.py`) and of every `warehouse` module it imports, in path order."""
    files: set[Path] = set()
    pending, seen = [module], set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        path = _file(name)
        if path is None:
            continue
        files.add(path)
        parts = name.split(".")
        pending.extend(".".join(parts[:end]) for end in range(1, len(parts)))
        pending.extend(_imported(path, name))
    return sorted(files)


@cache
def code_fingerprint(module: str) -> str:
    """sha256 of the names and contents of `module_files(module)`."""
    digest = hashlib.sha256()
    for path in module_files(module):
        digest.update(path.relative_to(_ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
