"""Simplified/traditional conversion, behind one small module.

The maintained official ``opencc`` package (C++ core, wheels for Windows, macOS and Linux) is used
rather than ``opencc-python-reimplemented``: on OpenCC's own published test cases the official one
passes every case and converts ~20x faster (see the README's notes and ``tests/unit/test_opencc_cases``).
Both install the import name ``opencc``; the project depends on exactly one of them.

Converters are built once, lazily, and are safe to share between threads (each call is independent).
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass

import opencc

# Script choices offered to readers: key -> OpenCC configuration (None = as printed).
SCRIPTS: dict[str, str | None] = {
    "hans": None,  # 简体, as printed
    "hant": "s2t",  # 繁體 (OpenCC standard)
    "tw": "s2tw",  # 臺灣正體 (characters)
    "twp": "s2twp",  # 臺灣正體 with Taiwan phrases (软件 -> 軟體)
    "hk": "s2hk",  # 香港繁體
}

_lock = threading.Lock()


@functools.cache
def _converter(config: str) -> opencc.OpenCC:
    with _lock:
        return opencc.OpenCC(config)


def convert(text: str, config: str) -> str:
    """Convert ``text`` with an OpenCC configuration such as ``s2t`` or ``t2s``."""
    return _converter(config).convert(text)


def to_script(text: str, script: str) -> str:
    """Render printed (simplified) text in one of ``SCRIPTS``."""
    if script not in SCRIPTS:
        raise ValueError(f"unknown script {script!r}; choose one of {', '.join(SCRIPTS)}")
    config = SCRIPTS[script]
    return text if config is None else _cached_convert(text, config)


@functools.lru_cache(maxsize=8192)
def _cached_convert(text: str, config: str) -> str:
    # Paragraphs, headlines and snippets come back again and again as a reader pages and toggles.
    return convert(text, config)


# Private-use characters survive conversion untouched: they carry spans through it.
_SPAN_START, _SPAN_END = "\ue010", "\ue011"


def to_script_with_spans(
    text: str, spans: list[tuple[int, int]], script: str
) -> tuple[str, list[tuple[int, int]]]:
    """Convert ``text`` and move ``spans`` (sorted, not overlapping) to the converted text, whose
    length may differ (s2twp: 计算机 -> 電腦)."""
    if SCRIPTS.get(script) is None or not spans:
        return to_script(text, script), list(spans)
    marked, last = [], 0
    for start, end in spans:
        marked += [text[last:start], _SPAN_START, text[start:end], _SPAN_END]
        last = end
    marked.append(text[last:])
    converted = to_script("".join(marked), script)
    out, moved, start = [], [], 0
    for char in converted:
        if char == _SPAN_START:
            start = len(out)
        elif char == _SPAN_END:
            moved.append((start, len(out)))
        else:
            out.append(char)
    return "".join(out), moved


# Traditional (OpenCC standard) to the regional spelling of each script: 裏 -> 裡 in Taiwan.
_REGIONAL = {"tw": "t2tw", "twp": "t2tw", "hk": "t2hk"}


def _regional(traditional: str, script: str) -> str:
    config = _REGIONAL.get(script)
    return convert(traditional, config) if config else traditional


@dataclass(frozen=True)
class Choice:
    """A character the converter chose among several traditional forms."""

    index: int  # in the converted text
    printed: str  # the simplified character as printed
    chosen: str
    candidates: str  # every traditional form, in this script's spelling


def conversion_choices(printed: str, converted: str, script: str) -> list[Choice]:
    """Where ``converted`` (= ``to_script(printed, script)``) picked one of several traditional
    forms (后 -> 後 or 后). Only for conversions that kept the length (character for character);
    phrase conversions that change length are not annotated."""
    if SCRIPTS.get(script) is None or len(printed) != len(converted):
        return []
    from leshan_reader.conversion.one_to_many import ONE_TO_MANY

    choices = []
    for index, char in enumerate(printed):
        candidates = ONE_TO_MANY.get(char)
        if candidates:
            regional = "".join(dict.fromkeys(_regional(c, script) for c in candidates))
            choices.append(Choice(index, char, converted[index], regional))
    return choices


# CJK ideograph ranges whose traditional and variant forms are folded to simplified for search.
_HAN_RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00), (0x20000, 0x2A6E0))


@functools.cache
def traditional_to_simplified_chars() -> dict[int, str]:
    """A context-free, one-character-to-one-character map from traditional and variant forms to
    simplified, built from OpenCC's own dictionaries (``t2s``, ``tw2s``, ``hk2s`` applied to each
    character alone).

    Search folds text one character at a time with it: phrase conversion is context-dependent and
    misses forms such as 著->着, while a 1:1 map keeps offsets in folded text equal to offsets in
    the printed text, which highlighting relies on.
    """
    chars = [chr(c) for lo, hi in _HAN_RANGES for c in range(lo, hi)]
    joined = "\n".join(chars)
    fold: dict[int, str] = {}
    for config in ("t2s", "tw2s", "hk2s"):
        converted = convert(joined, config).split("\n")
        if len(converted) != len(chars):  # a converter that merged lines; skip rather than misalign
            continue
        for original, simplified in zip(chars, converted):
            if original != simplified and len(simplified) == 1:
                fold.setdefault(ord(original), simplified)
    return fold


def opencc_version() -> str:
    return getattr(opencc, "__version__", "unknown")
