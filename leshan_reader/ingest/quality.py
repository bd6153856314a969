"""OCR oddities worth telling a reader about, found without changing the text.

The text is never "corrected": an archivist cites what was printed. These notes point at places
where the OCR (or the printed page) is suspect, so a reader can check them against the original.
"""

from __future__ import annotations

import re

from leshan_reader.ingest.reflow import BODY, Paragraph

_MIN_REPEAT = 20  # shorter repeats (a slogan, a dateline) are ordinary
# A lone Latin function word between Chinese characters: OCR of 和/与 or of a smudge.
_STRAY_LATIN = re.compile(
    r"(?<=[\u4e00-\u9fff])\s*\b(and|or|the|of|to|in|an?)\b\s*(?=[\u4e00-\u9fff])", re.IGNORECASE
)
# The letters of those words, matched the same way: a paragraph without any cannot hold one, and
# most paragraphs have none (the look-behind tried at every character took 0.45 ms a page).
_WORD_LETTER = re.compile(r"[adefhinort]", re.IGNORECASE)
# The same test, faster: among the paragraph's ASCII characters (a short string; letters
# ignoring case, searched for in the whole paragraph, took 0.2 ms a page), and the two
# non-ASCII characters that the class matches when ignoring case (İ and ı, as ``i``).
_ASCII_WORD_LETTER = re.compile(rb"[adefhinortADEFHINORT]")
_NON_ASCII_WORD_LETTERS = ("\u0130", "\u0131")


def may_hold_a_word(text: str) -> bool:
    """Whether ``text`` holds a letter of a stray word (what ``_WORD_LETTER`` finds)."""
    return (bool(_ASCII_WORD_LETTER.search(text.encode("ascii", "ignore")))
            or any(letter in text for letter in _NON_ASCII_WORD_LETTERS))


_SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]+[”’」』）)]*")


def repeated_passages(paragraphs: list[Paragraph]) -> list[dict]:
    """Sentences that repeat earlier text word for word: OCR of an overlapping region, or a layout
    error in print. Both copies are kept; the note says where the repeat is and what it repeats.
    Consecutive repeated sentences make one note."""
    seen: dict[str, int] = {}
    notes: list[dict] = []
    for index, paragraph in enumerate(paragraphs):
        if paragraph.kind != BODY:
            continue
        run: dict | None = None
        for match in _SENTENCE.finditer(paragraph.text):
            key = "".join(match.group(0).split())  # no white space: split() splits where \s matches
            if len(key) < _MIN_REPEAT:
                run = None
                continue
            if key in seen and seen[key] != index:
                if run is not None and run["end"] == match.start():
                    run["end"] = match.end()
                else:
                    run = {"kind": "repeated_passage", "paragraph": index, "start": match.start(),
                           "end": match.end(), "same_as": seen[key]}
                    notes.append(run)
            else:
                seen.setdefault(key, index)
                run = None
    for note in notes:
        length = note["end"] - note["start"]
        note["message"] = (
            f"paragraph {note['paragraph'] + 1} repeats {length} characters of paragraph "
            f"{note['same_as'] + 1} word for word"
        )
    return notes


def stray_latin_words(paragraphs: list[Paragraph]) -> list[dict]:
    notes = []
    for index, paragraph in enumerate(paragraphs):
        if not may_hold_a_word(paragraph.text):
            continue
        for match in _STRAY_LATIN.finditer(paragraph.text):
            notes.append({
                "kind": "stray_latin",
                "paragraph": index,
                "start": match.start(1),
                "end": match.end(1),
                "message": f"paragraph {index + 1}: English {match.group(1)!r} inside Chinese text "
                "(probably an OCR error)",
            })
    return notes


def quality_notes(paragraphs: list[Paragraph]) -> list[dict]:
    return repeated_passages(paragraphs) + stray_latin_words(paragraphs)
