"""Replacing one file whole, for the files a run writes beside the warehouse (charts, the HTML
page, caches): a reader opening it sees the old bytes or the new ones, never half a file."""

import os
from pathlib import Path


def write_file_atomically(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, fsync it and rename it over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
