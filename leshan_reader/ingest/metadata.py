"""Where a page's date and page number come from: a manifest, the file name, or the masthead.

A manifest (``manifest.toml`` or ``manifest.csv``) in a folder describes files in that folder and
below it. TOML::

    [[page]]
    file = "000_07d425494b1a8dc8.txt"
    date = "2021-09-15"        # YYYY, YYYY-MM or YYYY-MM-DD
    page = 1                   # optional
    date_source = "masthead"   # how the date is known (free text)

CSV has the columns ``file,date,page,date_source,note``.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from leshan_reader.core.dates import PartialDate

MANIFEST_NAMES = ("manifest.toml", "manifest.csv")
MANIFEST_COLUMNS = {"file", "date", "page", "date_source", "note"}

# 2021-09-15_03.txt, 20210915_03.txt, 2021-09-15-p03.txt, 2021_09_15 第3版.txt ...
_FILENAME = re.compile(
    r"(?<!\d)(?P<y>(?:18|19|20)\d{2})(?P<s>[-_.]?)(?P<m>\d{2})(?P=s)(?P<d>\d{2})(?!\d)"
    r"(?:[\s_-]*(?:p|page|第)?\s*(?P<page>\d{1,3})(?!\d)\s*版?)?",
    re.IGNORECASE,
)


@dataclass
class ManifestEntry:
    date: PartialDate | None
    page: int | None
    date_source: str
    note: str = ""


@dataclass
class Manifest:
    path: Path
    entries: dict[str, ManifestEntry] = field(default_factory=dict)  # relative posix path -> entry
    problems: list[str] = field(default_factory=list)


def _entry_from_row(row: dict, where: str, problems: list[str]) -> tuple[str, ManifestEntry] | None:
    unknown = set(row) - MANIFEST_COLUMNS
    if unknown:
        problems.append(f"{where}: unknown column(s) {', '.join(sorted(unknown))} ignored")
    name = str(row.get("file") or "").strip()
    if not name:
        problems.append(f"{where}: no file name")
        return None
    relative = PurePosixPath(name.replace("\\", "/"))
    if relative.is_absolute() or ".." in relative.parts:
        problems.append(f"{where}: {name!r} points outside the manifest's folder; entry ignored")
        return None
    date = None
    raw_date = str(row.get("date") or "").strip()
    if raw_date:
        try:
            date = PartialDate.parse(raw_date)
        except ValueError as exc:
            problems.append(f"{where}: {name}: {exc}; date ignored")
    page = None
    raw_page = str(row.get("page") or "").strip()
    if raw_page:
        if raw_page.isdigit() and int(raw_page) > 0:
            page = int(raw_page)
        else:
            problems.append(f"{where}: {name}: page {raw_page!r} is not a page number; ignored")
    source = str(row.get("date_source") or "manifest").strip()
    return str(relative), ManifestEntry(date, page, source, str(row.get("note") or ""))


def read_manifest(path: Path) -> Manifest:
    manifest = Manifest(path)
    try:
        if path.suffix == ".toml":
            data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
            rows = data.get("page", [])
            if not isinstance(rows, list):
                raise ValueError("expected [[page]] tables")
        else:
            rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    except (OSError, UnicodeDecodeError, ValueError, tomllib.TOMLDecodeError, csv.Error) as exc:
        manifest.problems.append(f"{path.name}: unreadable ({exc}); ignored")
        return manifest
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            manifest.problems.append(f"{path.name} entry {number}: not a table; ignored")
            continue
        parsed = _entry_from_row(row, f"{path.name} entry {number}", manifest.problems)
        if parsed:
            key, entry = parsed
            manifest.entries[key] = entry
    for key in manifest.entries:
        if not (path.parent / key).is_file():
            manifest.problems.append(f"{path.name}: lists {key}, which is not in the folder")
    return manifest


class ManifestFinder:
    """Finds and caches the manifest that covers a file (its folder or the nearest above it)."""

    def __init__(self) -> None:
        self._cache: dict[Path, Manifest | None] = {}
        self._resolved: dict[Path, Path] = {}

    def _resolve(self, path: Path) -> Path:
        # Once per folder: resolving each file's path (a system call per part of it) took a
        # quarter of a second of a year's import, before any file was read.
        if path not in self._resolved:
            self._resolved[path] = path.resolve()
        return self._resolved[path]

    def _manifest_in(self, folder: Path) -> Manifest | None:
        if folder not in self._cache:
            found = None
            for name in MANIFEST_NAMES:
                candidate = folder / name
                if candidate.is_file():
                    found = read_manifest(candidate)
                    break
            self._cache[folder] = found
        return self._cache[folder]

    def entry_for(self, file: Path, root: Path) -> tuple[ManifestEntry | None, Manifest | None]:
        """The entry for ``file`` in the nearest manifest between its folder and ``root``."""
        file = file.resolve() if file.is_symlink() else self._resolve(file.parent) / file.name
        stop_at = self._resolve(root)
        folder = file.parent
        while True:
            manifest = self._manifest_in(folder)
            if manifest is not None:
                key = file.relative_to(folder).as_posix()
                if key in manifest.entries:
                    return manifest.entries[key], manifest
            if folder == stop_at or folder.parent == folder:
                return None, None
            folder = folder.parent

    def manifests(self) -> list[Manifest]:
        return [m for m in self._cache.values() if m is not None]


@dataclass
class NameMetadata:
    date: PartialDate | None
    page: int | None
    problem: str = ""


def metadata_from_name(relative_path: str) -> NameMetadata | None:
    """Date and page from a file name such as ``2021-09-15_03.txt`` (folders count too)."""
    stem = relative_path.rsplit(".", 1)[0] if "." in relative_path.rsplit("/", 1)[-1] else relative_path
    matches = list(_FILENAME.finditer(stem))
    if not matches:
        return None
    match = matches[-1]  # the file's own name wins over a folder's
    try:
        date = PartialDate(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError as exc:
        return NameMetadata(None, None, f"file name date {match.group(0)!r} is impossible: {exc}")
    page = int(match["page"]) if match["page"] else None
    return NameMetadata(date, page if page else None)
