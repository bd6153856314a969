"""Finding glossary terms in text: every occurrence on a page, and look-up of what a reader selected.

Text is matched by its match key (``aliases.match_key``: quotes dropped, script and width folded),
with an index map back to the original offsets, so ``“六稳”“六保”`` on a page, ``六稳六保`` in an
article and ``六穩`` typed by a reader all find the same entry. Scanning is greedy from the left
and the longest term at each position wins (三线四区一湖六湿地 over any shorter term inside it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from leshan_reader.glossary.aliases import QUOTES, match_key
from leshan_reader.text.normalize import fold

_SKIPPED = frozenset(QUOTES) | {" ", "\t", "\n", "\r", "\u3000"}
_SKIPPED_RUN = re.compile("[" + "".join(sorted(map(re.escape, _SKIPPED))) + "]+")
# Quoted parts this short (三公, 两通) are ordinary words elsewhere (三公里): they are marked on a
# page only where the page prints them in quotation marks, as the report does.
SHORT_PART = 2


@dataclass(frozen=True)
class Entry:
    id: int
    term: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class TermMatch:
    start: int  # offsets into the text that was scanned
    end: int
    entry_ids: tuple[int, ...]
    term: str  # the entry's term as printed in the glossary


def _keyed(text: str) -> tuple[str, list[int]]:
    """The text's match key, and for each key character its offset in ``text``."""
    folded = fold(text)
    skipped = _SKIPPED
    return _SKIPPED_RUN.sub("", folded), [i for i, char in enumerate(folded) if char not in skipped]


class GlossaryMatcher:
    def __init__(self, entries: list[Entry]) -> None:
        self.entries = {entry.id: entry for entry in entries}
        self._by_key: dict[str, list[int]] = {}
        self._quoted_only: set[str] = set()
        self._lengths: dict[str, list[int]] = {}
        for entry in entries:
            term_key = match_key(entry.term)
            for form in (entry.term, *entry.aliases):
                key = match_key(form)
                if not key:
                    continue
                ids = self._by_key.setdefault(key, [])
                if entry.id not in ids:
                    ids.append(entry.id)
                if len(key) <= SHORT_PART and key != term_key:
                    self._quoted_only.add(key)
        for key in self._by_key:
            self._lengths.setdefault(key[0], []).append(len(key))
        for first, lengths in self._lengths.items():
            self._lengths[first] = sorted(set(lengths), reverse=True)

    def __len__(self) -> int:
        return len(self.entries)

    def _longest_at(self, key: str, position: int) -> str | None:
        for length in self._lengths.get(key[position], ()):
            candidate = key[position: position + length]
            if len(candidate) == length and candidate in self._by_key:
                return candidate
        return None

    def find(self, text: str) -> list[TermMatch]:
        """Every glossary term in ``text``, left to right, longest first, not overlapping."""
        if not self._by_key or not text:
            return []
        key, offsets = _keyed(text)
        found: list[TermMatch] = []
        position = 0
        while position < len(key):
            candidate = self._longest_at(key, position)
            if candidate is None:
                position += 1
                continue
            start = offsets[position]
            end = offsets[position + len(candidate) - 1] + 1
            if candidate in self._quoted_only and not _quoted(text, start, end):
                position += 1
                continue
            start, end = _balance_quotes(text, start, end)
            ids = tuple(self._by_key[candidate])
            found.append(TermMatch(start, end, ids, self.entries[ids[0]].term))
            position += len(candidate)
        return found

    def lookup(self, text: str) -> list[int]:
        """Entry ids for what a reader selected or typed, best first.

        Exact term or alias first; then the longest term that starts the text (a selection that
        runs on past the term); then terms and aliases that contain the text.
        """
        key = match_key(text)
        if not key:
            return []
        ranked: list[int] = []

        def add(ids) -> None:
            ranked.extend(i for i in ids if i not in ranked)

        add(self._by_key.get(key, ()))
        for length in self._lengths.get(key[0], ()):
            if length < len(key) and key[:length] in self._by_key:
                add(self._by_key[key[:length]])
        for candidate, ids in sorted(self._by_key.items(), key=lambda item: len(item[0])):
            if key in candidate:
                add(ids)
        return ranked

    def longest_at(self, text: str, position: int) -> TermMatch | None:
        """The longest term starting at ``position`` in ``text`` (a pop-up dictionary's look-up)."""
        key, offsets = _keyed(text[position:])
        if not key:
            return None
        candidate = self._longest_at(key, 0)
        if candidate is None:
            return None
        ids = tuple(self._by_key[candidate])
        end = position + offsets[len(candidate) - 1] + 1
        return TermMatch(position + offsets[0], end, ids, self.entries[ids[0]].term)


_OPENING, _CLOSING = "“「『‘〝", "”」』’〞"


def _balance_quotes(text: str, start: int, end: int) -> tuple[int, int]:
    """Take in the quotation marks that pair with ones inside the match: “553”企业, not 553”企业;
    “六稳”“六保”, not 六稳”“六保."""
    depth = lowest = 0
    for char in text[start:end]:
        if char in _OPENING:
            depth += 1
        elif char in _CLOSING:
            depth -= 1
            lowest = min(lowest, depth)
    if lowest < 0 and start > 0 and text[start - 1] in _OPENING:
        start -= 1
        depth += 1
    if depth > 0 and end < len(text) and text[end] in _CLOSING:
        end += 1
    return start, end


def _quoted(text: str, start: int, end: int) -> bool:
    return (start > 0 and text[start - 1] in QUOTES) or (end < len(text) and text[end] in QUOTES)
