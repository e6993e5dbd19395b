"""The code fingerprint that stored extractions and charts are keyed on covers exactly the code
that can change them."""

from pathlib import Path

import pytest

import warehouse.code_fingerprint as fingerprint


def _names(files: list[Path], root: Path) -> list[str]:
    return [path.relative_to(root).as_posix() for path in files]


def test_the_extractor_is_keyed_on_the_modules_it_imports_only():
    root = Path(fingerprint.__file__).parent
    files = _names(fingerprint.module_files("warehouse.extraction.stored"), root)
    # the extractor, and what it imports through others (the documents, via mentions)
    for module in ("extraction/stored.py", "extraction/mentions.py", "documents.py"):
        assert module in files
    # an edit to the store, the loading or the site no longer makes every extraction stale
    for module in ("store.py", "loading.py", "reporting/site.py", "extraction/coverage.py"):
        assert module not in files


@pytest.fixture
def package(tmp_path, monkeypatch) -> Path:
    """A small `warehouse` package of its own: a imports b inside a function, b imports c
    relatively, d is imported by no one."""
    root = tmp_path / "warehouse"
    (root / "sub").mkdir(parents=True)
    files = {
        "__init__.py": "",
        "a.py": "import json\n\ndef f():\n    from warehouse.sub import b\n",
        "sub/__init__.py": "",
        "sub/b.py": "from .c import VALUE\n",
        "sub/c.py": "VALUE = 1\n",
        "d.py": "from warehouse import a\n",
    }
    for name, text in files.items():
        (root / name).write_text(text)
    monkeypatch.setattr(fingerprint, "_ROOT", root)
    return root


def test_lazy_and_relative_imports_are_followed(package):
    files = _names(fingerprint.module_files("warehouse.a"), package)
    assert files == ["__init__.py", "a.py", "sub/__init__.py", "sub/b.py", "sub/c.py"]


def test_the_fingerprint_changes_with_imported_code_only(package):
    def digest() -> str:
        return fingerprint.code_fingerprint.__wrapped__("warehouse.a")

    before = digest()
    (package / "d.py").write_text("from warehouse import a  # edited\n")
    assert digest() == before
    (package / "sub" / "c.py").write_text("VALUE = 2\n")
    assert digest() != before
