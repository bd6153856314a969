"""Folding text for search: the same function runs on indexed text and on queries.

Every fold is one character to one character, so a position in folded text is the same position
in the printed text (what highlighting needs). White space and control characters are ignorable:
they are removed from the index and allowed anywhere between the characters of a match, which is
what makes ``习近\\n平`` findable as ``习近平``.
"""

from __future__ import annotations

import functools
import os
import re
import sys
import unicodedata
from array import array
from typing import Iterator

from leshan_reader.conversion import opencc_version, traditional_to_simplified_chars

# Bump when folding changes: the search index is rebuilt from the stored text when it differs.
FOLD_VERSION = 2  # 2: chains resolved (Kangxi radicals, enclosed ideographs)

IGNORABLE_CLASS = r"[\s\x00-\x1f\x7f-\x9f\u200b\u2060\ufeff]"


def fold_signature() -> str:
    """Identifies the folding in force; stored with the index."""
    return f"fold{FOLD_VERSION}/opencc-{opencc_version()}/unicode-{unicodedata.unidata_version}"


@functools.cache
def _fold_table() -> dict[int, str]:
    """The fold, built once per installation and kept in the cache folder: building it scans every
    code point and runs OpenCC over every CJK character (~0.2 s), loading it takes a few ms. The
    file is named by the fold's signature, so an upgrade of OpenCC or Unicode builds a new one."""
    import marshal
    import zlib  # not hashlib: its import took 4 ms of every start

    from leshan_reader.core.paths import cache_dir

    name = f"{zlib.crc32(fold_signature().encode()):08x}"
    cached = cache_dir() / f"fold-{name}.marshal"
    try:
        table = marshal.loads(cached.read_bytes())
        if isinstance(table, dict) and table:
            return table
    except (OSError, ValueError, EOFError, TypeError):
        pass
    table = _build_fold_table()
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        temporary = cached.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(marshal.dumps(table))
        os.replace(temporary, cached)  # atomic: a concurrent reader never sees half a file
    except OSError:  # a read-only cache folder: build it each time
        pass
    return table


def _build_fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    # Compatibility forms that NFKC maps to a single character: full-width ASCII (３Ｄ -> 3d),
    # half-width katakana, circled and styled letters. Multi-character expansions are left alone
    # to keep the fold 1:1.
    for code in range(0x80, 0x30000):
        if 0xD800 <= code < 0xE000:
            continue
        char = chr(code)
        folded = unicodedata.normalize("NFKC", char)
        if len(folded) == 1 and folded != char:
            table[code] = folded
    table.update(traditional_to_simplified_chars())
    # Case last, so full-width capitals fold all the way: Ａ -> A -> a.
    for code, target in list(table.items()):
        lowered = target.lower()
        if len(lowered) == 1:
            table[code] = lowered
    for code in range(0x30000):
        if 0xD800 <= code < 0xE000:
            continue
        char = chr(code)
        if code not in table:
            lowered = char.lower()
            if len(lowered) == 1 and lowered != char:
                table[code] = lowered
    # Each entry folds all the way: a Kangxi radical folds by NFKC to a traditional character
    # (⾞ -> 車), which OpenCC folds again (車 -> 车); stopping half-way left a page printing ⾞
    # unfound by 车 or 車. With no entry's target in the table, folding is idempotent, which
    # ``fold_long``'s one-character-at-a-time replacement relies on.
    for code, target in table.items():
        seen = {code}
        while ord(target) in table and ord(target) not in seen:
            seen.add(ord(target))
            target = table[ord(target)]
        table[code] = target
    return table


def fold(text: str) -> str:
    """Fold case, width, compatibility forms and traditional/variant script; same length as input."""
    return text.translate(_fold_table())


# ``str.translate`` with a dict looks every character up (1.3 ms for a 7,000-character page, a
# sixth of parsing it), while a page holds about ten distinct foldable characters (full-width
# punctuation, mostly). Long texts are folded by finding those with one character class and
# replacing each: 0.2 ms a page. Compiling the class takes ~25 ms once per process, so short
# texts (queries, and anything on the way to the first paint) keep ``translate``.
_REPLACE_DISTINCT_UP_TO = 48  # more (a page in traditional script): translate is faster


@functools.cache
def _foldable() -> re.Pattern[str]:
    """A class matching every character the fold changes, and every non-BMP character (checked
    against the table: a class listing them singly is searched linearly)."""
    ranges: list[list[int]] = []
    for code in sorted(code for code in _fold_table() if code <= 0xFFFF):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    members = "".join(f"\\u{a:04x}" if a == b else f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges)
    return re.compile(f"[{members}\\U00010000-\\U0010ffff]")


def fold_long(text: str) -> str:
    """``fold`` for pages and articles: the same result, several times faster on long texts.
    Replacing one character after another is exact because no folded form folds again."""
    found = set(_foldable().findall(text))
    if len(found) > _REPLACE_DISTINCT_UP_TO:
        return fold(text)
    table = _fold_table()
    for char in found:
        target = table.get(ord(char))
        if target is not None:  # a non-BMP character the fold leaves alone
            text = text.replace(char, target)
    return text


# IGNORABLE_CLASS without ``\s``: ``str.split()`` removes white space (``\s`` is ``str.isspace``,
# checked by a test), and the rest are rare. The class as one pattern tested every character
# against ``\s``'s category and the ranges (an import's articles: 0.27 -> 0.16 ms a page).
_IGNORABLE_NOT_SPACE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b\u2060\ufeff]")


def remove_ignorable(text: str) -> str:
    """Text without the characters of IGNORABLE_CLASS."""
    text = "".join(text.split())
    return _IGNORABLE_NOT_SPACE.sub("", text) if _IGNORABLE_NOT_SPACE.search(text) else text


def normalize(text: str) -> str:
    """Folded text with white space and control characters removed: the searchable form."""
    return remove_ignorable(fold(text))


def normalize_long(text: str) -> str:
    """``normalize`` for the importer's pages and articles (see ``fold_long``)."""
    return remove_ignorable(fold_long(text))


# Tokens are laid out as UTF-32 code units in an array: an import makes them for every character
# of every page, and slicing arrays is 7-16x faster than joining one- and two-character strings
# (measured on 5,000 characters: 0.39 -> 0.06 ms and 1.53 -> 0.09 ms).
# An array's items are in the machine's byte order, so the codec must be too.
_SPACE = array("I", [ord(" ")])
_UTF32 = "utf-32-le" if sys.byteorder == "little" else "utf-32-be"
assert _SPACE.itemsize == 4, "array('I') must hold 32-bit code units"


def _code_units(text: str) -> array:
    return array("I", text.encode(_UTF32, "surrogatepass"))


def _text_of(units: array) -> str:
    return units.tobytes().decode(_UTF32, "surrogatepass")


def char_tokens(normalized: str) -> str:
    """One FTS5 token per character: ``乐山日报`` -> ``乐 山 日 报``."""
    if len(normalized) < 2:
        return normalized
    units = _code_units(normalized)
    out = _SPACE * (2 * len(units) - 1)
    out[0::2] = units
    return _text_of(out)


def bigram_tokens(normalized: str) -> str:
    """One FTS5 token per overlapping character pair: ``乐山日报`` -> ``乐山 山日 日报``."""
    if len(normalized) < 2:
        return ""
    units = _code_units(normalized)
    out = _SPACE * (3 * (len(units) - 1) - 1)
    out[0::3] = units[:-1]
    out[1::3] = units[1:]
    return _text_of(out)


@functools.cache
def _variants() -> dict[str, str]:
    """For each folded character, every character that folds to it (itself included)."""
    variants: dict[str, list[str]] = {}
    for code, target in _fold_table().items():
        variants.setdefault(target, [target]).append(chr(code))
    return {target: "".join(chars) for target, chars in variants.items()}


def _members(char: str) -> str:
    """Every character that folds to ``char``: what may stand for it in printed text."""
    return _variants().get(char) or char


@functools.cache
def _gap_chars() -> frozenset[str]:
    """The characters of IGNORABLE_CLASS: ``\\s`` is ``str.isspace`` (the last such character is
    U+3000), the control ranges and the zero-width characters."""
    chars = {chr(code) for code in range(0x3001) if chr(code).isspace()}
    chars.update(chr(code) for code in [*range(0x20), *range(0x7F, 0xA0)])
    chars.update("\u200b\u2060\ufeff")
    return frozenset(chars)


@functools.lru_cache(maxsize=256)
def _forms_finder(members: str) -> re.Pattern[str]:
    return re.compile("[" + "".join(re.escape(c) for c in members) + "]")


class PrintedTextPattern:
    """Finds a normalized term in printed (unfolded) text.

    A character of the term matches any character that folds to it, and ignorable characters may
    stand between them, so match offsets are offsets in the printed text; no text is folded
    (folding a whole article per hit was the slowest part of a search).

    No regular expression per term: compiling one, with a character class per character and the
    gap's class between every two, took 0.55 ms a query (a fifth of a search at one year). One
    character of the term, the anchor, is found with ``str.find``, and the match is checked from
    there backwards and forwards, skipping gaps greedily — exact because no gap character folds
    to a searchable one (a test checks it). The anchor is the term's rarest character in a sample
    of the text to be searched: a term that begins with a comma or a common character (``，目前``,
    ``的发展``) otherwise sent every comma of every hit through Python. Whichever the anchor, the
    matches are the same: every match holds exactly one anchor position, its anchor's ``k``-th
    non-gap character, so matches come in the order of their starts, and the leftmost of those
    not overlapping the previous one is taken, as ``re.finditer`` would. A character with many
    forms (Latin letters and digits have up to 40) is found with a class compiled once per process
    instead of a ``find`` per form.
    """

    _FIND_FORMS_UP_TO = 6

    def __init__(self, normalized_term: str, sample: str = "") -> None:
        members = [_members(c) for c in normalized_term]
        anchor = _rarest(members, sample) if len(members) > 1 else 0
        self._anchor = members[anchor]
        self._before = [frozenset(m) for m in reversed(members[:anchor])]
        self._after = [frozenset(m) for m in members[anchor + 1:]]

    def _anchor_positions(self, text: str) -> Iterator[int]:
        forms = self._anchor
        if len(forms) > self._FIND_FORMS_UP_TO:
            return (match.start() for match in _forms_finder(forms).finditer(text))
        if len(forms) > 1:  # most Chinese characters have a traditional form, seldom printed
            forms = [form for form in forms if form in text]
            if len(forms) > 1:
                return iter(sorted(i for form in forms for i in _occurrences(text, form)))
            if not forms:
                return iter(())
        return _occurrences(text, forms[0])

    def spans(self, text: str) -> list[tuple[int, int]]:
        """The matches in ``text``, leftmost first and not overlapping (like ``re.finditer``)."""
        gap, before, after, size = _gap_chars(), self._before, self._after, len(text)
        spans: list[tuple[int, int]] = []
        end = 0
        for anchor in self._anchor_positions(text):
            start = anchor
            for members in before:
                start -= 1
                while start >= 0 and text[start] in gap:
                    start -= 1
                if start < 0 or text[start] not in members:
                    break
            else:
                if start < end:  # overlaps the match before
                    continue
                position = anchor + 1
                for members in after:
                    while position < size and text[position] in gap:
                        position += 1
                    if position == size or text[position] not in members:
                        break
                    position += 1
                else:
                    spans.append((start, position))
                    end = position
        return spans


def _rarest(members: list[str], sample: str) -> int:
    """The index of the character whose forms occur least in ``sample`` (without one: the first
    with the fewest forms, which is what a comma or a digit has most of)."""
    if not sample:
        return min(range(len(members)), key=lambda i: len(members[i]))
    return min(range(len(members)), key=lambda i: sum(sample.count(form) for form in members[i]))


def _occurrences(text: str, char: str) -> Iterator[int]:
    index = text.find(char)
    while index >= 0:
        yield index
        index = text.find(char, index + 1)
