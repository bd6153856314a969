"""A page divided into articles.

For now a page is its masthead (page metadata, kind ``masthead``) and one article holding the rest
of the page; headline-aware splitting refines the second part.
"""

from __future__ import annotations

from dataclasses import dataclass

from leshan_reader.ingest.masthead import Masthead
from leshan_reader.ingest.reflow import Paragraph, continuation_links
from leshan_reader.text import PARAGRAPH_SEPARATOR

MASTHEAD, STORY, OTHER = "masthead", "story", "other"


@dataclass
class ArticleDraft:
    kind: str
    paragraph_start: int
    paragraph_end: int  # exclusive
    text: str
    title: str = ""
    kicker: str = ""
    deck: str = ""
    byline: str = ""
    continues_to: int | None = None
    continued_from: int | None = None


def _article(kind: str, paragraphs: list[Paragraph], start: int, end: int) -> ArticleDraft:
    text = PARAGRAPH_SEPARATOR.join(p.text for p in paragraphs[start:end])
    draft = ArticleDraft(kind, start, end, text)
    for link in continuation_links(text):
        if link["direction"] == "to" and draft.continues_to is None:
            draft.continues_to = link["page"]
        elif link["direction"] == "from" and draft.continued_from is None:
            draft.continued_from = link["page"]
    return draft


def split_articles(paragraphs: list[Paragraph], masthead: Masthead | None) -> list[ArticleDraft]:
    articles = []
    start = 0
    if masthead is not None:
        articles.append(_article(MASTHEAD, paragraphs, 0, masthead.paragraph_count))
        start = masthead.paragraph_count
    if start < len(paragraphs):
        articles.append(_article(OTHER, paragraphs, start, len(paragraphs)))
    return articles
