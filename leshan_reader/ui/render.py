"""A page as HTML for the reading pane: every character of OCR text escaped, never interpreted.

Pure functions (no widgets), so they are tested directly: what a reader sees is what this returns.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from leshan_reader.conversion import to_script
from leshan_reader.core.i18n import t
from leshan_reader.ingest.reflow import CONTINUATION_NOTE
from leshan_reader.text import PARAGRAPH_SEPARATOR
from leshan_reader.text.normalize import printed_text_pattern

# Private-use characters mark highlights through script conversion, which leaves them alone.
_MARK_START, _MARK_END = "\ue000", "\ue001"
_BOLD_START, _BOLD_END = "\ue002", "\ue003"
HIGHLIGHT = "#ffd54f"
CURRENT_HIGHLIGHT = "#ff9800"
CJK_FONTS = (
    '"Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", "SimSun", "Noto Sans CJK SC", '
    '"Source Han Sans SC", "PingFang SC", "Microsoft YaHei", serif'
)


@dataclass
class Match:
    article_id: int
    paragraph: int  # index of the paragraph inside the article's text
    start: int
    end: int


def date_label(date: str | None, precision: str | None) -> str:
    if date is None:
        return t("日期不明", "date unknown")
    if precision == "day":
        year, month, day = date.split("-")
        return t(f"{int(year)}年{int(month)}月{int(day)}日", date)
    return t(f"{date}（日期未印）", f"{date} (date not printed)")


def page_label(page: int | None) -> str:
    return t(f"第{page}版", f"page {page}") if page else t("版次不明", "page unknown")


def citation(title: str, date: str | None, precision: str | None, page: int | None) -> str:
    """A GB/T 7714 newspaper reference: ``题名[N]. 乐山日报, 2021-09-15(1).``"""
    when = date or "出版日期不详"
    number = f"({page})" if page else ""
    name = title.strip() or "［无标题］"
    return f"{name}[N]. 乐山日报, {when}{number}."


def _highlight_spans(text: str, patterns) -> list[tuple[int, int]]:
    spans = sorted((m.start(), m.end()) for p in patterns for m in p.finditer(text) if m.end() > m.start())
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            continue
        merged.append((start, end))
    return merged


def _insert_marks(text: str, spans, start_mark: str, end_mark: str) -> str:
    out, last = [], 0
    for start, end in spans:
        out += [text[last:start], start_mark, text[start:end], end_mark]
        last = end
    out.append(text[last:])
    return "".join(out)


def _to_html(marked: str, current: int | None, counter: list[int], page_links: dict[int, str]) -> str:
    """Escape, then turn the private marks into tags and continuation notes into links."""
    escaped = html.escape(marked, quote=False)
    escaped = escaped.replace(_BOLD_START, "<b>").replace(_BOLD_END, "</b>")

    def mark(_match: re.Match) -> str:
        number = counter[0]
        counter[0] += 1
        colour = CURRENT_HIGHLIGHT if number == current else HIGHLIGHT
        return f'<a name="m{number}"></a><span style="background-color:{colour}">'

    escaped = re.sub(_MARK_START, mark, escaped).replace(_MARK_END, "</span>")

    def link(match: re.Match) -> str:
        page = _page_number(match.group("page"))
        target = page_links.get(page)
        href = f"page:{target}" if target else f"missing:{page}"
        return f'<a href="{href}">{match.group(0)}</a>'

    return CONTINUATION_NOTE.sub(link, escaped)


def _page_number(raw: str) -> int:
    numerals = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)}
    if raw.isdigit():
        return int(raw)
    return numerals.get(raw[-1], 0) + (10 if len(raw) == 2 else 0)


def render_page(
    page: dict,
    *,
    script: str = "hans",
    terms: list[str] | None = None,
    current_match: int | None = None,
    page_links: dict[int, str] | None = None,
    show_masthead: bool = True,
) -> tuple[str, list[Match]]:
    """HTML for the reading pane, and the matches of ``terms`` in reading order."""
    patterns = [printed_text_pattern(term) for term in terms or []]
    layouts = {p["text"]: p for p in page.get("paragraphs", [])}
    matches: list[Match] = []
    counter = [0]
    parts = []
    for article in page["articles"]:
        if article["kind"] == "masthead" and not show_masthead:
            continue
        parts.append(f'<a name="a{article["id"]}"></a>')
        kind_style = "color:#666;font-size:small" if article["kind"] in ("masthead", "advert", "caption", "notice") else ""
        parts.append(f'<div style="{kind_style}">')
        if article.get("kicker"):
            parts.append(f'<p style="color:#555;margin-bottom:0">{_plain(article["kicker"], script)}</p>')
        if article.get("title"):
            spans = _highlight_spans(article["title"], patterns)
            for s, e in spans:
                matches.append(Match(article["id"], -1, s, e))
            marked = _insert_marks(article["title"], spans, _MARK_START, _MARK_END)
            parts.append(f'<h2 style="margin-bottom:2px">{_to_html(_convert(marked, script), current_match, counter, page_links or {})}</h2>')
        if article.get("deck"):
            parts.append(f'<p style="color:#444;margin-top:0">——{_plain(article["deck"], script)}</p>')
        if article.get("byline"):
            parts.append(f'<p style="color:#555;font-size:small">{_plain(article["byline"], script)}</p>')
        for index, text in enumerate(article["text"].split(PARAGRAPH_SEPARATOR) if article["text"] else []):
            layout = layouts.get(text, {})
            spans = _highlight_spans(text, patterns)
            for s, e in spans:
                matches.append(Match(article["id"], index, s, e))
            marked = _mark_bold_and_matches(text, layout.get("bold", []), spans)
            body = _to_html(_convert(marked, script), current_match, counter, page_links or {})
            kind = layout.get("kind", "body")
            if kind == "heading":
                parts.append(f"<h3>{body}</h3>")
            elif kind == "line":
                parts.append(f'<p style="font-weight:600">{body}</p>')
            else:
                parts.append(f'<p style="line-height:165%">{body}</p>')
        parts.append("</div><hr/>")
    style = f"font-family:{CJK_FONTS};"
    return f'<div style="{style}">{"".join(parts)}</div>', matches


def _mark_bold_and_matches(text: str, bold: list, spans: list[tuple[int, int]]) -> str:
    """Insert bold and highlight marks together, in position order."""
    events = []
    for start, end in bold:
        events += [(start, 1, _BOLD_START), (end, 0, _BOLD_END)]
    for start, end in spans:
        events += [(start, 2, _MARK_START), (end, -1, _MARK_END)]
    out, last = [], 0
    for position, _, mark in sorted(events):
        out += [text[last:position], mark]
        last = position
    out.append(text[last:])
    return "".join(out)


def _convert(text: str, script: str) -> str:
    return to_script(text, script) if script != "hans" else text


def _plain(text: str, script: str) -> str:
    return html.escape(_convert(text, script), quote=False)


def raw_html(text: str) -> str:
    return "<pre>" + html.escape(text, quote=False) + "</pre>"
