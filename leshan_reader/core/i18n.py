"""The user's language: Chinese (simplified) by default, English on request.

Each string is written once at its call site in both languages, ``t("导入…", "Import…")``, so a
translation can never go missing and the code reads in either language.
"""

from __future__ import annotations

ZH, EN = "zh_CN", "en"
LANGUAGES = {ZH: "中文（简体）", EN: "English"}
_current = ZH


def set_language(language: str) -> None:
    global _current
    _current = language if language in LANGUAGES else ZH


def language() -> str:
    return _current


def t(chinese: str, english: str) -> str:
    return english if _current == EN else chinese
