"""A page as HTML for the reading pane: every character of OCR text escaped, never interpreted.

Pure functions (no widgets), so they are tested directly: what a reader sees is what this returns.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from leshan_reader.conversion import conversion_choices, to_script
from leshan_reader.core.i18n import t
from leshan_reader.search.engine import match_spans
from leshan_reader.text import CONTINUATION_NOTE, PARAGRAPH_SEPARATOR
from leshan_reader.text.normalize import PrintedTextPattern

# Private-use characters mark highlights through script conversion, which leaves them alone.
_MARK_START, _MARK_END = "\ue000", "\ue001"
_BOLD_START, _BOLD_END = "\ue002", "\ue003"
_TERM_START, _TERM_END = "\ue004", "\ue005"
_CHOICE_START, _CHOICE_END = "\ue006", "\ue007"
TERM_STYLE = "color:#1f3f66;text-decoration:none;background-color:#edf3fa"
CHOICE_STYLE = "color:#8a3b00;text-decoration:underline"
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


def _insert_marks(text: str, spans, start_mark: str, end_mark: str) -> str:
    out, last = [], 0
    for start, end in spans:
        out += [text[last:start], start_mark, text[start:end], end_mark]
        last = end
    out.append(text[last:])
    return "".join(out)


def _to_html(marked: str, current: int | None, counter: list[int], page_links: dict[int, str],
             links: list[str] | None = None) -> str:
    """Escape, then turn the private marks into tags and continuation notes into links.

    ``links`` holds the targets of the term and choice marks, in order of appearance.
    """
    escaped = html.escape(marked, quote=False)
    escaped = escaped.replace(_BOLD_START, "<b>").replace(_BOLD_END, "</b>")
    targets = iter(links or [])

    def term(_match: re.Match) -> str:
        return f'<a href="{html.escape(next(targets))}" style="{TERM_STYLE}">'

    def choice(_match: re.Match) -> str:
        return f'<a href="{html.escape(next(targets))}" style="{CHOICE_STYLE}">'

    escaped = re.sub(f"[{_TERM_START}{_CHOICE_START}]",
                     lambda m: term(m) if m.group(0) == _TERM_START else choice(m), escaped)
    escaped = escaped.replace(_TERM_END, "</a>").replace(_CHOICE_END, "</a>")

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
    glossary_terms: bool = True,
    conversion_marks: bool = False,
) -> tuple[str, list[Match]]:
    """HTML for the reading pane, and the matches of ``terms`` in reading order.

    ``glossary_terms``: mark the articles' glossary terms (``article["terms"]``) as ``term:`` links.
    ``conversion_marks``: in a traditional script, mark the characters the converter chose among
    several forms (后 -> 後/后) as ``choice:`` links.
    """
    patterns = [PrintedTextPattern(term) for term in terms or []]
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
            spans = match_spans(article["title"], patterns)
            for s, e in spans:
                matches.append(Match(article["id"], -1, s, e))
            marked = _insert_marks(article["title"], spans, _MARK_START, _MARK_END)
            parts.append(f'<h2 style="margin-bottom:2px">{_to_html(_convert(marked, script), current_match, counter, page_links or {})}</h2>')
        if article.get("deck"):
            parts.append(f'<p style="color:#444;margin-top:0">——{_plain(article["deck"], script)}</p>')
        if article.get("byline"):
            parts.append(f'<p style="color:#555;font-size:small">{_plain(article["byline"], script)}</p>')
        offset = 0
        article_terms = article.get("terms", []) if glossary_terms else []
        for index, text in enumerate(article["text"].split(PARAGRAPH_SEPARATOR) if article["text"] else []):
            layout = layouts.get(text, {})
            spans = match_spans(text, patterns)
            for s, e in spans:
                matches.append(Match(article["id"], index, s, e))
            term_spans = [
                (term["start"] - offset, term["end"] - offset, "term:" + ",".join(map(str, term["entry_ids"])))
                for term in article_terms if offset <= term["start"] and term["end"] <= offset + len(text)
            ]
            offset += len(text) + len(PARAGRAPH_SEPARATOR)
            marked, links = _marked_paragraph(text, script, layout.get("bold", []), spans, term_spans,
                                              conversion_marks)
            body = _to_html(marked, current_match, counter, page_links or {}, links)
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


def _marked_paragraph(
    text: str, script: str, bold: list, spans: list[tuple[int, int]],
    term_spans: list[tuple[int, int, str]], conversion_marks: bool,
) -> tuple[str, list[str]]:
    """The paragraph in ``script`` with private marks for bold, matches, terms (and choices), and
    the link targets of the term and choice marks in order.

    Conversion runs on the unmarked text whenever it keeps the length (character for character),
    so marks never split a phrase that OpenCC converts as a whole (头发 -> 頭髮); only a length-
    changing phrase conversion (s2twp) gets the marks inserted before converting.
    """
    converted = _convert(text, script)
    aligned = len(converted) == len(text)
    events: list[tuple[int, int, str]] = []
    links_at: list[tuple[int, str]] = []
    for start, end in bold:
        events += [(start, 1, _BOLD_START), (end, 0, _BOLD_END)]
    for start, end in spans:
        events += [(start, 3, _MARK_START), (end, -2, _MARK_END)]
    for start, end, target in term_spans:
        events += [(start, 2, _TERM_START), (end, -1, _TERM_END)]
        links_at.append((start, target))
    if conversion_marks and aligned:
        for choice in conversion_choices(text, converted, script):
            if any(start <= choice.index < end for start, end, _ in term_spans):
                continue  # links do not nest: inside a term, the term's link wins
            events += [(choice.index, 4, _CHOICE_START), (choice.index + 1, -3, _CHOICE_END)]
            links_at.append((choice.index, f"choice:{choice.printed}{choice.candidates}"))
    base = converted if aligned else text
    out, last = [], 0
    for position, _, mark in sorted(events):
        out += [base[last:position], mark]
        last = position
    out.append(base[last:])
    marked = "".join(out)
    if not aligned:
        marked = _convert(marked, script)
    links = [target for _, target in sorted(links_at, key=lambda item: item[0])]
    return marked, links


def _convert(text: str, script: str) -> str:
    return to_script(text, script) if script != "hans" else text


def _plain(text: str, script: str) -> str:
    return html.escape(_convert(text, script), quote=False)


def raw_html(text: str) -> str:
    return "<pre>" + html.escape(text, quote=False) + "</pre>"


def glossary_source_label(entry: dict) -> str:
    """Where a definition was printed: ``2021年政府工作报告, 第3版``."""
    return f"{entry['source_title']}, {page_label(entry['page'])}"


def definitions_html(entries: list[dict], script: str = "hans", occurrences: list[dict] | None = None) -> str:
    """Glossary entries (newest first) as HTML: term, aliases, definition, and a link to the page
    that printed it; with ``occurrences``, the pages where the term is used."""
    parts = []
    for entry in entries:
        term = _plain(entry["term"], script)
        aliases = "、".join(_plain(a, script) for a in entry["aliases"])
        definition = "<br/>".join(_plain(line, script) for line in entry["definition"].split("\n"))
        source = html.escape(glossary_source_label(entry), quote=False)
        parts.append(
            f"<p><b>{term}</b>"
            + (f' <span style="color:#666">（{t("又作", "also")}：{aliases}）</span>' if aliases else "")
            + f"</p><p>{definition}</p>"
            f'<p style="color:#555;font-size:small">{t("出处", "Source")}：'
            f'<a href="page:{entry["page_id"]}">{source}</a>'
            f' · {html.escape(date_label(entry["date"], entry["date_precision"]), quote=False)}</p>'
        )
    if occurrences is not None:
        total = sum(o["count"] for o in occurrences)
        parts.append(f"<p><b>{t(f'档案中出现 {total} 次，{len(occurrences)} 版', f'{total} occurrences on {len(occurrences)} pages')}</b></p><ul>")
        for item in occurrences:
            label = f"{date_label(item['date'], item['date_precision'])} {page_label(item['page'])}"
            titles = "；".join(_plain(title, script) for title in item["titles"] if title)
            parts.append(f'<li><a href="page:{item["page_id"]}">{html.escape(label, quote=False)}</a>'
                         f' ×{item["count"]} <span style="color:#666">{titles}</span></li>')
        parts.append("</ul>")
    return "".join(parts)
