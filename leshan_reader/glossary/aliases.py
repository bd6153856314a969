"""The forms under which readers and writers meet a glossary term, and the key they match by.

The appendix prints ``“六稳”“六保”``; articles write ``六稳六保``, ``“六稳”``, ``六保``; a Taiwan
reader types ``六穩``. Every form reduces to one match key: quotation marks removed, then folded
like the search index (case, width, traditional/variant script; see ``text.normalize``).
"""

from __future__ import annotations

import re

from leshan_reader.text.normalize import fold

QUOTES = "“”\"「」『』‘’'＂〝〞"
_QUOTED = re.compile(r"[“\"「『‘'＂〝]([^“”\"「」『』‘’'＂〝〞]+)[”\"」』’'＂〞]")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_QUOTE_TABLE = str.maketrans("", "", QUOTES)


def match_key(text: str) -> str:
    """The form two spellings of a term share: no quotes, no white space, folded."""
    return re.sub(r"\s+", "", fold(text.translate(_QUOTE_TABLE)))


def quoted_parts(term: str) -> list[str]:
    return _QUOTED.findall(term)


def aliases_for(term: str) -> list[str]:
    """Other printed forms of ``term``, most useful first, without the term itself.

    - the term without quotation marks: ``“553”企业`` → ``553企业``
    - each quoted part with at least two Han characters: ``六稳``, ``六保``, ``四早``, ``一岗双责``
      (``553`` or ``4+1`` alone would mark every number on a page)
    - quoted parts printed side by side, joined: ``“六稳”“六保”`` → ``六稳六保``
    """
    aliases: list[str] = []

    def add(form: str) -> None:
        form = form.strip()
        if form and form != term and form not in aliases:
            aliases.append(form)

    add(term.translate(_QUOTE_TABLE))
    parts = quoted_parts(term)
    for part in parts:
        if len(_HAN.findall(part)) >= 2:
            add(part)
    # Side-by-side quoted parts (nothing but quotes between them) read as one phrase.
    for run in re.findall(r"(?:[“\"「『][^“”\"「」『』]+[”\"」』]){2,}", term):
        add("".join(quoted_parts(run)))
    return aliases
