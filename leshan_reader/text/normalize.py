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
FOLD_VERSION = 1

IGNORABLE_CLASS = r"[\s\x00-\x1f\x7f-\x9f\u200b\u2060\ufeff]"
_NARROW_GAP = r"[\s\x00-\x1f\x7f-\x9f]*"  # IGNORABLE_CLASS without \u200b, \u2060, \ufeff
_IGNORABLE_RUN = re.compile(IGNORABLE_CLASS + "+")


def fold_signature() -> str:
    """Identifies the folding in force; stored with the index."""
    return f"fold{FOLD_VERSION}/opencc-{opencc_version()}/unicode-{unicodedata.unidata_version}"


@functools.cache
def _fold_table() -> dict[int, str]:
    """The fold, built once per installation and kept in the cache folder: building it scans every
    code point and runs OpenCC over every CJK character (~0.2 s), loading it takes a few ms. The
    file is named by the fold's signature, so an upgrade of OpenCC or Unicode builds a new one."""
    import hashlib
    import marshal

    from leshan_reader.core.paths import cache_dir

    name = hashlib.sha256(fold_signature().encode()).hexdigest()[:16]
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
    return table


def fold(text: str) -> str:
    """Fold case, width, compatibility forms and traditional/variant script; same length as input."""
    return text.translate(_fold_table())


def remove_ignorable(text: str) -> str:
    return _IGNORABLE_RUN.sub("", text)


def normalize(text: str) -> str:
    """Folded text with white space and control characters removed: the searchable form."""
    return remove_ignorable(fold(text))


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


def _char_class(char: str) -> str:
    chars = _variants().get(char)
    if not chars:
        return re.escape(char)
    return "[" + "".join(re.escape(c) for c in chars) + "]"


class PrintedTextPattern:
    """Finds a normalized term in printed (unfolded) text.

    Each character becomes the class of all characters that fold to it, and ignorable characters
    may stand between them, so match offsets are offsets in the printed text; no text is folded
    (folding a whole article per hit was the slowest part of a search).

    Python's ``re`` takes 0.3 ms to compile the gap's class, because it holds characters beyond
    Latin-1, and a gap stands between every two characters: 1.6 ms per query. Those characters
    (zero-width spaces, BOMs) are rare in printed text, so the full pattern is compiled only for
    a text that holds one; the same matches either way.
    """

    def __init__(self, normalized_term: str) -> None:
        self._classes = [_char_class(c) for c in normalized_term]
        self._narrow = re.compile(_NARROW_GAP.join(self._classes))
        self._full: re.Pattern[str] | None = None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        # Three substring tests: 30x faster than a regex search for the same characters.
        if "\u200b" in text or "\u2060" in text or "\ufeff" in text:
            if self._full is None:
                self._full = re.compile((IGNORABLE_CLASS + "*").join(self._classes))
            return self._full.finditer(text)
        return self._narrow.finditer(text)
