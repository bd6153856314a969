"""The glossary: terms defined in the work report's 名词解释 appendix, found wherever they occur."""

from leshan_reader.glossary.aliases import aliases_for, match_key
from leshan_reader.glossary.extract import GlossaryDraft, extract_entries, find_appendix
from leshan_reader.glossary.matcher import Entry, GlossaryMatcher, TermMatch

__all__ = [
    "Entry", "GlossaryDraft", "GlossaryMatcher", "TermMatch",
    "aliases_for", "extract_entries", "find_appendix", "match_key",
]
