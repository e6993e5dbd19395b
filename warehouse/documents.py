"""A report document as published, read into its text layer: numbered lines on numbered pages.

The text layer is what quotes are checked against and what the extractor reads, so both see
the same lines. A text file is one page unless it holds form feeds (the page break `pdftotext`
writes); a PDF's text comes from PDFium (pypdfium2) one page at a time, so memory stays bounded
by the largest page, not the document. Lines are numbered 1, 2, … through the whole document,
as an editor numbers a text file.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import NamedTuple

from warehouse.source_files import SourceFileError, decode

PDF_MAGIC = b"%PDF-"
PAGE_BREAK = "\f"

# The columns of raw.report_documents and of its text layer, in the order the loader fills
# them; their descriptions are the documents entry's in tables.yaml.
DOCUMENT_COLUMNS = ("report_id", "source_file", "sha256", "pages", "lines")
LINE_COLUMNS = ("report_id", "page", "line", "text")


def squeeze(text: str) -> str:
    """The text without whitespace: the one normalisation quotes are compared under, since a
    PDF's text layer breaks lines (and spaces CJK text) wherever its layout did. (`str.split`
    drops exactly the characters `\\s` matches, several times faster than a regex.)"""
    return "".join(text.split())


class DocumentLine(NamedTuple):
    """One line of the text layer, for a reader that wants lines one by one (`Document`
    keeps them as columns)."""

    page: int
    line: int
    text: str


class Anchor(NamedTuple):
    """Where a quote starts: the page and the line (numbered through the document). One per
    quoted row (280,000 at 1,000 reports): a tuple builds faster than a frozen dataclass."""

    page: int
    line: int


class QuoteIndex:
    """What finding a quote needs of a document, small enough to keep every report's at once:
    the text without whitespace and, in arrays, where each line starts in it and its page:
    about 70 kB for the real report, whose Document is 250 kB. Every quoted table of a
    refresh checks its rows against the same documents, and at a thousand reports re-reading
    them per table cost more than the rest of the load."""

    __slots__ = ("_pages", "file", "sha256", "starts", "text")

    def __init__(self, file: str, sha256: str, line_pages: Sequence[int], texts: Sequence[str]):
        parts = [squeeze(text) for text in texts]
        self.starts = array("l", itertools.accumulate(map(len, parts), initial=0))
        self.starts.pop()  # where the text after the last line would start
        self._pages = array("l", line_pages)
        self.file = file
        self.sha256 = sha256  # of the document it indexes: what a kept quote check is keyed on
        self.text = "".join(parts)

    def line_index(self, quote: str) -> int | None:
        """The 0-based index of the line where `quote` first starts (whitespace ignored)."""
        needle = squeeze(quote)
        at = self.text.find(needle) if needle else -1
        return bisect.bisect_right(self.starts, at) - 1 if at >= 0 else None

    def find(self, quote: str) -> Anchor | None:
        index = self.line_index(quote)
        return None if index is None else Anchor(self._pages[index], index + 1)


@dataclass(frozen=True)
class Document:
    """A document's text layer as two columns, the page of each line and its text (line `i`
    of the document is `texts[i - 1]`): the loader and the quote index read it so, and at a
    thousand reports building a tuple per line (1.2 million) cost ~1 s. `lines` builds the
    tuples for a reader that wants them."""

    file: str
    sha256: str
    pages: int
    line_pages: array[int]  # array("l"): the page of each line
    texts: tuple[str, ...]

    @cached_property
    def index(self) -> QuoteIndex:
        return QuoteIndex(self.file, self.sha256, self.line_pages, self.texts)

    @cached_property
    def lines(self) -> tuple[DocumentLine, ...]:
        numbers = range(1, len(self.texts) + 1)
        rows = zip(self.line_pages, numbers, self.texts, strict=True)
        return tuple(map(DocumentLine._make, rows))

    @property
    def squeezed_text(self) -> str:
        """The whole text layer without whitespace: what quotes are found in."""
        return self.index.text

    def squeezed_offset(self, index: int, column: int) -> int:
        """Where character `column` of the `index`-th line (0-based) falls in `squeezed_text`."""
        return self.index.starts[index] + len(squeeze(self.texts[index][:column]))

    def find(self, quote: str) -> DocumentLine | None:
        """The line where `quote` first starts, comparing both without whitespace."""
        index = self.index.line_index(quote)
        if index is None:
            return None
        return DocumentLine(self.line_pages[index], index + 1, self.texts[index])


def _pdf_pages(path: Path, display_name: str) -> Iterator[str]:
    import pypdfium2  # only a PDF needs it

    try:
        pdf = pypdfium2.PdfDocument(path)
    except pypdfium2.PdfiumError as error:
        raise SourceFileError(display_name, f"cannot be read as a PDF: {error}") from error
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            text_page = page.get_textpage()
            try:
                yield text_page.get_text_range().replace("\r\n", "\n").replace("\r", "\n")
            finally:
                text_page.close()
                page.close()
    finally:
        pdf.close()


def _text_pages(path: Path, data: bytes) -> Iterator[str]:
    text, _ = decode(path, data)
    text = text.replace("\r\n", "\n")
    yield from text.removesuffix("\n").split(PAGE_BREAK)


def read_document(path: Path, display_name: str, expected_sha256: str | None = None) -> Document:
    """The document's lines with their pages, or SourceFileError saying why there are none."""
    if not path.is_file():
        raise SourceFileError(display_name, "does not exist (the document reports.yaml names)")
    data = path.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    if expected_sha256 and sha256 != expected_sha256:
        raise SourceFileError(
            display_name,
            f"has sha256 {sha256}, but reports.yaml records {expected_sha256}: the document "
            "changed; check it and record its new sha256",
        )
    is_pdf = data.startswith(PDF_MAGIC)
    pages = _pdf_pages(path, display_name) if is_pdf else _text_pages(Path(display_name), data)
    line_pages, texts = array("l"), list[str]()
    page_count = 0
    for page_count, page in enumerate(pages, start=1):
        page_texts = page.split("\n")
        line_pages.extend(itertools.repeat(page_count, len(page_texts)))
        texts += page_texts
    if not any(text.strip() for text in texts):
        raise SourceFileError(display_name, "has no text (empty, or a PDF without a text layer)")
    return Document(display_name, sha256, page_count, line_pages, tuple(texts))


# A refresh reads each document for raw.report_documents and then needs only its QuoteIndex;
# the extraction reads one document per run. A few whole Documents are enough.
@lru_cache(maxsize=16)
def _cached(path: Path, display_name: str, expected: str | None, stamp: tuple[int, int]):
    return read_document(path, display_name, expected)


def load_document(path: Path, display_name: str, expected_sha256: str | None = None) -> Document:
    """`read_document`, read once per version of the file."""
    if not path.is_file():
        return read_document(path, display_name, expected_sha256)
    return _cached(path, display_name, expected_sha256, _stamp(path))


# Every quoted table of a refresh checks its rows against the same documents: keep every
# report's index (tens of kB each) rather than read the documents again per table.
@lru_cache(maxsize=4096)
def _cached_index(path: Path, display_name: str, expected: str | None, stamp: tuple[int, int]):
    return _cached(path, display_name, expected, stamp).index


def load_quote_index(
    path: Path, display_name: str, expected_sha256: str | None = None
) -> QuoteIndex:
    """The QuoteIndex of `load_document`'s document, made once per version of the file."""
    if not path.is_file():
        return read_document(path, display_name, expected_sha256).index
    return _cached_index(path, display_name, expected_sha256, _stamp(path))


def _stamp(path: Path) -> tuple[int, int]:
    status = path.stat()
    return status.st_mtime_ns, status.st_size
