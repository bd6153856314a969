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
    return text if config is None else convert(text, config)


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
