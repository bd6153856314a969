"""What a user types in the search box, parsed into terms; never passed raw to FTS5 ``MATCH``.

Syntax (documented in the README):

* ``乐山 茶叶`` — several terms: every one must occur (``AND`` between terms means the same);
* ``"乐山 大佛"`` — a quoted phrase (spaces inside are ignored, like all white space);
* ``-茶叶`` — the article must not contain the term;
* ``乐山 OR 峨眉`` — either term.

Everything else — stray quotes, ``NEAR(``, ``*``, parentheses, SQL — is searched as the text it
is. A term matches wherever its characters occur, ignoring white space, case, full/half width and
traditional/simplified script (see ``leshan_reader.text.normalize``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from leshan_reader.core.errors import QueryError
from leshan_reader.text.normalize import bigram_tokens, char_tokens, normalize

MAX_QUERY_CHARS = 500
_SPACES = " \t\r\n\u3000"


@dataclass
class ParsedQuery:
    text: str
    groups: list[list[str]] = field(default_factory=list)  # AND of ORs of normalized terms
    excluded: list[str] = field(default_factory=list)

    @property
    def positive_terms(self) -> list[str]:
        return [term for group in self.groups for term in group]

    @property
    def single_term(self) -> str | None:
        """The query's term when it has one and excludes none (its FTS5 query is one phrase)."""
        terms = self.positive_terms
        return terms[0] if len(terms) == 1 and not self.excluded else None

    @property
    def uses_bigrams(self) -> bool:
        """Every term has two characters or more, so the bigram index can answer the query."""
        return all(len(term) >= 2 for term in self.positive_terms + self.excluded)

    def fts_expression(self) -> str:
        """The FTS5 query: each term a phrase of its bigram tokens (or of its characters when a
        term has only one)."""
        tokens = bigram_tokens if self.uses_bigrams else char_tokens

        def phrase(term: str) -> str:
            return '"' + tokens(term).replace('"', '""') + '"'

        clauses = []
        for group in self.groups:
            alternatives = [phrase(term) for term in group]
            clauses.append(alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")")
        expression = " AND ".join(clauses)
        for term in self.excluded:
            expression += " NOT " + phrase(term)
        return expression


@dataclass
class _Token:
    text: str
    quoted: bool
    negated: bool = False


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    n = len(text)
    while i < n:
        if text[i] in _SPACES:
            i += 1
            continue
        negated = False
        if text[i] == "-" and i + 1 < n and text[i + 1] not in _SPACES and text[i + 1] != "-":
            negated = True
            i += 1
        if text[i] == '"':
            end = text.find('"', i + 1)
            if end < 0:  # an unbalanced quote: the rest is the phrase
                end = n
            tokens.append(_Token(text[i + 1:end], quoted=True, negated=negated))
            i = end + 1
            continue
        start = i
        while i < n and text[i] not in _SPACES and text[i] != '"':
            i += 1
        tokens.append(_Token(text[start:i], quoted=False, negated=negated))
    return tokens


def parse_query(text: str) -> ParsedQuery:
    """Parse a query, or raise QueryError with a message for the user."""
    if text is None or not text.strip(_SPACES):
        raise QueryError("Type something to search for.")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"The search is {len(text)} characters long; the limit is {MAX_QUERY_CHARS}.")
    parsed = ParsedQuery(text=text)
    tokens = _tokenize(text)
    pending_or = False
    for index, token in enumerate(tokens):
        is_operator = not token.quoted and not token.negated and token.text in ("OR", "AND")
        if is_operator and parsed.groups and index + 1 < len(tokens):
            pending_or = token.text == "OR"
            continue
        term = normalize(token.text)
        if not term:
            continue
        if token.negated:
            parsed.excluded.append(term)
        elif pending_or:
            parsed.groups[-1].append(term)
        else:
            parsed.groups.append([term])
        pending_or = False
    if not parsed.groups:
        if parsed.excluded:
            raise QueryError("A search needs at least one term to find; '-term' only excludes.")
        raise QueryError("The search has nothing to look for (only spaces or control characters).")
    return parsed
