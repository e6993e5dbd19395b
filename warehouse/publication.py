"""Published versions: the DuckDB file and every file a run writes for people (charts, the
HTML page, the data site), swapped in together or not at all.

For a warehouse file `P = <dir>/<name>` (by default `warehouse/cloud.duckdb`):

    <dir>/.<name>.versions/<version>/<name>      the DuckDB file of one published version
    <dir>/.<name>.versions/<version>/<artifact>  charts/, report.html, … of the same run
    <dir>/.<name>.current -> .<name>.versions/<version>   the one pointer a publish swaps
    <dir>/<name>          -> .<name>.current/<name>        the stable paths readers open
    <dir>/<artifact>      -> .<name>.current/<artifact>

A run builds into a private directory beside them. Publishing renames that directory into
the versions and replaces the `current` symlink with one `rename(2)`: whoever resolves a
stable path afterwards sees the new version whole, whoever resolved it before keeps the old
one (its files stay until two newer versions exist). A crash at any point leaves either the
old pointer or the new one.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

KEEP_VERSIONS = 2  # the published one and the one before it (readers may still hold it)


class PublishError(RuntimeError):
    """Publishing failed; the previously published version is still the one readers see."""


def fsync_directory(path: Path) -> None:
    """Make a rename inside `path` survive a crash."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def fsync_file(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


@dataclass(frozen=True)
class Layout:
    """Where the published versions of the warehouse at `published` live."""

    published: Path

    @property
    def root(self) -> Path:
        return self.published.parent

    @property
    def name(self) -> str:
        return self.published.name

    @property
    def versions(self) -> Path:
        return self.root / f".{self.name}.versions"

    @property
    def current(self) -> Path:
        return self.root / f".{self.name}.current"

    def building(self, token: str) -> Path:
        return self.root / f".{self.name}.building-{token}"

    def stale_builds(self) -> list[Path]:
        return sorted(self.root.glob(f".{self.name}.building-*"))

    def current_version(self) -> Path | None:
        """The published version's directory, or None before the first publish."""
        if not self.current.is_symlink():
            return None
        target = self.current.resolve()
        return target if target.is_dir() else None

    def published_file(self) -> Path | None:
        """The DuckDB file readers get now: the current version's, or a plain file left by an
        earlier layout (published as a regular file), or None if nothing is published."""
        version = self.current_version()
        if version is not None and (version / self.name).is_file():
            return version / self.name
        if self.published.is_file() and not self.published.is_symlink():
            return self.published
        return None


def _link_atomically(link: Path, target: str) -> None:
    """Point `link` at `target` with one rename: there is never a moment without a link."""
    temporary = link.with_name(f".{link.name}.{os.getpid()}.link")
    temporary.unlink(missing_ok=True)
    os.symlink(target, temporary)
    try:
        os.replace(temporary, link)
    except IsADirectoryError:
        # A real directory here (the layout before versions, or a hand-made one): move it
        # aside, then link. The only step that is not atomic, and it happens once.
        temporary.unlink(missing_ok=True)
        os.replace(link, link.with_name(f"{link.name}.replaced-{time.strftime('%Y%m%d%H%M%S')}"))
        os.symlink(target, link)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def seed(layout: Layout, build_dir: Path, linked: Collection[str] = ()) -> None:
    """Start a build from the published version: copies of its DuckDB file and artifacts (the
    run rewrites only what it materializes). Copies, not hard links: an artifact writer that
    opens a file in place must never be able to change what readers see. The exception is
    `linked`: artifacts whose writer never opens an existing file (it builds a new folder and
    moves unchanged files into it), whose files are hard-linked instead (the data site is
    1.2 GB at 1,000 reports; copying it was most of a refresh's set-up)."""
    build_dir.mkdir(parents=True)
    published = layout.published_file()
    if published is not None:
        shutil.copyfile(published, build_dir / layout.name)
    version = layout.current_version()
    if version is None:
        return
    for entry in version.iterdir():
        if entry.name == layout.name:
            continue
        if entry.is_dir():
            copy = _link_or_copy if entry.name in linked else shutil.copy2
            shutil.copytree(entry, build_dir / entry.name, copy_function=copy)
        else:
            shutil.copyfile(entry, build_dir / entry.name)


def _link_or_copy(source: str, target: str) -> None:
    """A hard link, or a copy where the file system has none."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _fsync_tree(root: Path) -> None:
    """Every file of the build, then every folder deepest first (a folder's entries, such as
    the charts a run wrote into charts/, survive a crash only once the folder is fsynced)."""
    folders = [root]
    for path in root.rglob("*"):
        if path.is_symlink():
            continue
        if path.is_dir():
            folders.append(path)
        elif path.is_file():
            fsync_file(path)
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        fsync_directory(folder)


def publish(layout: Layout, build_dir: Path, token: str) -> Path:
    """Make `build_dir` the published version and return its directory. Every file is on disk
    before the pointer moves; the pointer is checked afterwards (PublishError if a reader
    opening `published` would not get this version)."""
    try:
        _fsync_tree(build_dir)
        layout.versions.mkdir(exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")  # sorts as it was published
        version = layout.versions / f"{stamp}-{token}"
        os.rename(build_dir, version)
        fsync_directory(layout.versions)
        _link_atomically(layout.current, os.path.relpath(version, layout.root))
        for entry in sorted(version.iterdir()):
            stable = layout.root / entry.name
            target = f"{layout.current.name}/{entry.name}"
            if not (stable.is_symlink() and os.readlink(stable) == target):
                _link_atomically(stable, target)
        fsync_directory(layout.root)
    except OSError as error:
        raise PublishError(
            f"could not publish {layout.published}: {type(error).__name__}: {error}"
        ) from error
    if os.path.realpath(layout.published) != os.path.realpath(version / layout.name):
        raise PublishError(
            f"{layout.published} does not resolve to the new version {version} after publishing"
        )
    _prune(layout, keep=version)
    return version


def _prune(layout: Layout, keep: Path) -> None:
    """Delete all but the newest KEEP_VERSIONS versions (a reader that opened an older file
    keeps reading it: an open file outlives its name)."""
    versions = sorted(p for p in layout.versions.iterdir() if p.is_dir())
    for old in versions[:-KEEP_VERSIONS]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)


def discard(build_dir: Path) -> None:
    shutil.rmtree(build_dir, ignore_errors=True)
