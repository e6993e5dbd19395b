"""Each report's extracted mentions, stored per report so that the extraction of many
documents can run in parallel processes (one Dagster partition per report) while the single
step that writes `marts.report_coverage` only reads the results. The document's text without
whitespace is stored beside the mentions: matching them with the curated figures needs only
that, so the coverage step reads a report's text layer only to extract it.

A stored extraction is used only for exactly the input it was made from: the document's
sha256, the report's publication date (it decides which periods are forecasts) and the source
of the extractor (this module and every `warehouse` module it imports: a change there makes
every stored one stale, a change elsewhere none).
Anything else is a miss, and the coverage step extracts that report itself; a stale or missing
file can make coverage slower, never different.
"""

from __future__ import annotations

import pickle
from datetime import date
from pathlib import Path
from typing import BinaryIO, NamedTuple

from warehouse import settings
from warehouse.atomic_files import write_file_atomically
from warehouse.code_fingerprint import code_fingerprint
from warehouse.documents import Document
from warehouse.extraction.mentions import MentionColumns, extract


def extraction_key(document_sha256: str, published: date | None) -> str:
    """What a stored extraction must have been made from to be used."""
    return f"{document_sha256}/{published}/{code_fingerprint(__name__)}"


def _path(report_id: str, root: Path | None) -> Path:
    return (root or settings.extractions_dir()) / f"{report_id}.pickle"


class StoredExtraction(NamedTuple):
    """A report's mentions and its document's text without whitespace (what matching them
    with the curated figures reads), so a refresh that finds both stored need not rebuild
    the document from its 1,000s of lines."""

    squeezed_text: str
    mentions: MentionColumns


def extract_and_store(
    report_id: str, document: Document, published: date | None, root: Path | None = None
) -> StoredExtraction:
    """Extract the document's mentions, store them for `report_id` (replacing the file
    whole, so a reader sees the old extraction or the new one) and return what was stored."""
    mentions = MentionColumns.of(extract(document, published))
    # the key on a line of its own, so a stale file is told apart by its first line; the
    # columns as a plain tuple of lists
    key = extraction_key(document.sha256, published).encode()
    stored = pickle.dumps((document.squeezed_text, tuple(mentions)))
    write_file_atomically(_path(report_id, root), key + b"\n" + stored)
    return StoredExtraction(document.squeezed_text, mentions)


def _matching(report_id: str, key: str, root: Path | None) -> BinaryIO | None:
    """The report's stored file, open after its key line, if that key is `key`."""
    path = _path(report_id, root)
    if not path.is_file():
        return None
    stored = path.open("rb")
    if stored.readline() != key.encode() + b"\n":
        stored.close()
        return None
    return stored


def has_stored_extraction(
    report_id: str, document_sha256: str, published: date | None, root: Path | None = None
) -> bool:
    """Whether `stored_extraction` would find one: its key line only is read."""
    stored = _matching(report_id, extraction_key(document_sha256, published), root)
    if stored is None:
        return False
    stored.close()
    return True


def stored_extraction(
    report_id: str, document_sha256: str, published: date | None, root: Path | None = None
) -> StoredExtraction | None:
    """What was stored for the report if it was extracted from exactly this input, else
    None."""
    stored = _matching(report_id, extraction_key(document_sha256, published), root)
    if stored is None:
        return None
    with stored:
        text, columns = pickle.loads(stored.read())  # written only by extract_and_store above
    return StoredExtraction(text, MentionColumns._make(columns))
