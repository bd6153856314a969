"""The archive's schema, as versioned migrations recorded in the archive itself.

Each migration runs in one transaction together with the record that it ran (sqlite-utils
``Migrations``), so an interrupted upgrade leaves the previous version intact. Never edit a
migration that has shipped: add a new one.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from leshan_reader.store.db import MIGRATION_SET  # noqa: E402  (one name for the set)

migrations = Migrations(MIGRATION_SET)

# Two contentless FTS5 indexes over the folded text (see leshan_reader.text.normalize): one token
# per character (article_chars, for one-character queries) and one token per overlapping pair of
# characters (article_bigrams, for everything longer: far shorter doclists than single
# characters). Every Unicode category but separators and controls makes tokens, so punctuation
# and symbols are searchable too. automerge 8 (default 4): an import commits once per file, and
# merging segments less eagerly makes that ~10% faster without slowing queries measurably.
FTS_TOKENIZE = "unicode61 remove_diacritics 0 categories 'L* N* M* P* S* Co Cf Cn Cs'"


def _run(db: Database, script: str) -> None:
    # One statement at a time: executescript() would commit the migration's transaction.
    for statement in script.split(";\n"):
        if statement.strip():
            db.execute(statement)


@migrations(name="0001_initial")
def _initial(db: Database) -> None:
    _run(db, f"""
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT
);
CREATE TABLE issues (
    id INTEGER PRIMARY KEY,
    date TEXT,
    date_precision TEXT CHECK (date_precision IN ('day', 'month', 'year')),
    date_start TEXT,
    date_end TEXT,
    pages_in_issue INTEGER,
    issue_number INTEGER
);
CREATE UNIQUE INDEX issues_by_date ON issues (ifnull(date, ''));
CREATE TABLE pages (
    id INTEGER PRIMARY KEY,
    issue_id INTEGER NOT NULL REFERENCES issues (id),
    page INTEGER,
    source TEXT NOT NULL UNIQUE,
    source_path TEXT,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    encoding TEXT NOT NULL,
    raw BLOB NOT NULL,
    text TEXT NOT NULL,
    paragraphs TEXT NOT NULL,
    date_source TEXT,
    masthead TEXT,
    notes TEXT NOT NULL DEFAULT '[]',
    imported_at TEXT NOT NULL
);
CREATE INDEX pages_by_sha ON pages (sha256);
CREATE INDEX pages_by_issue ON pages (issue_id, page);
CREATE TABLE page_sources (
    id INTEGER PRIMARY KEY,
    page_id INTEGER NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    source_path TEXT,
    first_seen TEXT NOT NULL,
    UNIQUE (page_id, source)
);
CREATE TABLE articles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    page_id INTEGER NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    kicker TEXT NOT NULL DEFAULT '',
    deck TEXT NOT NULL DEFAULT '',
    byline TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL,
    paragraph_start INTEGER,
    paragraph_end INTEGER,
    continues_to INTEGER,
    continued_from INTEGER
);
CREATE INDEX articles_by_page ON articles (page_id, seq);
CREATE VIRTUAL TABLE article_chars USING fts5 (
    title, body, content='', tokenize="{FTS_TOKENIZE}"
);
CREATE VIRTUAL TABLE article_bigrams USING fts5 (
    title, body, content='', tokenize="{FTS_TOKENIZE}"
);
INSERT INTO article_chars (article_chars, rank) VALUES ('automerge', 8);
INSERT INTO article_bigrams (article_bigrams, rank) VALUES ('automerge', 8);
CREATE TABLE glossary (
    id INTEGER PRIMARY KEY,
    page_id INTEGER NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    term TEXT NOT NULL,
    aliases TEXT NOT NULL DEFAULT '[]',
    definition TEXT NOT NULL
);
CREATE TABLE import_log (
    id INTEGER PRIMARY KEY,
    run_started TEXT NOT NULL,
    at TEXT NOT NULL,
    source TEXT NOT NULL,
    source_path TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('imported', 'unchanged', 'replaced', 'rejected')),
    page_id INTEGER,
    reason TEXT
)
""")


@migrations(name="0002_glossary_sources")
def _glossary_sources(db: Database) -> None:
    # Where each definition came from (for "2021年政府工作报告, 第3版") and which article is the
    # appendix itself (terms are not marked inside it). Archives built before this had no
    # glossary rows: the entries are extracted from the pages already stored.
    _run(db, """
ALTER TABLE glossary ADD COLUMN article_id INTEGER REFERENCES articles (id) ON DELETE SET NULL;
ALTER TABLE glossary ADD COLUMN source_title TEXT NOT NULL DEFAULT '';
CREATE INDEX glossary_by_page ON glossary (page_id, seq)
""")
    from leshan_reader.store.glossary_rows import extract_stored_pages

    extract_stored_pages(db.conn)


@migrations(name="0003_fts_without_sizes")
def _fts_without_sizes(db: Database) -> None:
    # Relevance becomes BM25 without length normalisation (b = 0): with it, headline-only items
    # and one-line captions outranked the articles about a term; and an index without per-article
    # sizes ranks 4-5x faster (FTS5 looked the sizes up row by row). A 32 MB pending-terms
    # buffer (default 1 MB) lets an import batch of 1.5 M characters reach disk as one segment:
    # indexing 25-35% faster. The rebuilt tables are filled on the next maintenance pass, which
    # sees the cleared signature.
    _run(db, f"""
DROP TABLE article_chars;
DROP TABLE article_bigrams;
CREATE VIRTUAL TABLE article_chars USING fts5 (
    title, body, content='', columnsize=0, tokenize="{FTS_TOKENIZE}"
);
CREATE VIRTUAL TABLE article_bigrams USING fts5 (
    title, body, content='', columnsize=0, tokenize="{FTS_TOKENIZE}"
);
INSERT INTO article_chars (article_chars, rank) VALUES ('automerge', 8);
INSERT INTO article_bigrams (article_bigrams, rank) VALUES ('automerge', 8);
INSERT INTO article_chars (article_chars, rank) VALUES ('hashsize', 33554432);
INSERT INTO article_bigrams (article_bigrams, rank) VALUES ('hashsize', 33554432);
DELETE FROM meta WHERE key IN ('fts_fold_signature', 'fts_indexed_through')
""")


# FTS5's ascii tokenizer with every ASCII punctuation character made a token character: non-ASCII
# characters are always token characters in it, so with the text already folded and split into
# space-separated tokens it makes the same tokens as unicode61 above, without a Unicode category
# lookup and case fold per character. Indexing 15% faster (half a year's tokens, six alternating
# pairs of runs: 4.20 -> 3.57 ms per page on average; ascii was faster in each pair).
_ASCII_PUNCTUATION = "".join(chr(c) for c in range(33, 127) if not chr(c).isalnum())
FTS_TOKENIZE_ASCII = "ascii tokenchars '{}'".format(
    _ASCII_PUNCTUATION.replace("'", "''").replace('"', '""'))


@migrations(name="0004_fts_ascii_tokenizer")
def _fts_ascii_tokenizer(db: Database) -> None:
    # The same index, built faster (see FTS_TOKENIZE_ASCII). An archive that already holds
    # articles keeps its tables: the tokens are the same, and re-indexing it (about 10 s a year of
    # pages) would cost more than the faster indexing ever saves its later imports.
    if db.execute("SELECT count(*) FROM articles").fetchone()[0]:
        return
    _run(db, f"""
DROP TABLE article_chars;
DROP TABLE article_bigrams;
CREATE VIRTUAL TABLE article_chars USING fts5 (
    title, body, content='', columnsize=0, tokenize="{FTS_TOKENIZE_ASCII}"
);
CREATE VIRTUAL TABLE article_bigrams USING fts5 (
    title, body, content='', columnsize=0, tokenize="{FTS_TOKENIZE_ASCII}"
);
INSERT INTO article_chars (article_chars, rank) VALUES ('automerge', 8);
INSERT INTO article_bigrams (article_bigrams, rank) VALUES ('automerge', 8);
INSERT INTO article_chars (article_chars, rank) VALUES ('hashsize', 33554432);
INSERT INTO article_bigrams (article_bigrams, rank) VALUES ('hashsize', 33554432);
DELETE FROM meta WHERE key IN ('fts_fold_signature', 'fts_indexed_through')
""")


@migrations(name="0005_article_keys")
def _article_keys(db: Database) -> None:
    # What a search filters and sorts articles by (date range, page number, date order), in rows
    # of their own: an article's row holds its whole text, about a database page each, so a
    # search by date or with a filter that joined every hit to articles, pages and issues read a
    # page per hit; the keys of 100 articles fit in one. Five years, the benchmark's 200 queries
    # run by the old and the new search in turn (same results): by date median 10.8 -> 9.2 ms,
    # p95 52.4 -> 39.6 ms; within one year median 5.1 -> 3.0, p95 20.1 -> 10.2; on page 2 median
    # 11.1 -> 8.4, p95 48.4 -> 28.9; unfiltered by relevance unchanged (no join). Filled here for
    # the articles already stored (0.1 s at five years); imports add a page's keys with it.
    _run(db, """
CREATE TABLE article_keys (
    article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    date_start TEXT,
    date_end TEXT,
    page INTEGER,
    page_id INTEGER NOT NULL,
    seq INTEGER NOT NULL
);
INSERT INTO article_keys (article_id, date_start, date_end, page, page_id, seq)
    SELECT a.id, i.date_start, i.date_end, p.page, a.page_id, a.seq
    FROM articles a JOIN pages p ON p.id = a.page_id JOIN issues i ON i.id = p.issue_id
""")


@migrations(name="0006_char_lists")
def _char_lists(db: Database) -> None:
    # The first articles of each frequent character's search (see store.char_lists), made when
    # the index is merged: empty until an archive's next merge. The counts are a table of their
    # own: removing a page changes every count, and rewriting every list with it took 50 ms.
    _run(db, """
CREATE TABLE char_counts (
    code INTEGER PRIMARY KEY,  -- the character's code point
    articles INTEGER NOT NULL
);
CREATE TABLE char_lists (
    code INTEGER PRIMARY KEY REFERENCES char_counts (code),
    entries BLOB NOT NULL
)
""")


@migrations(name="0007_article_keys_by_date")
def _article_keys_by_date(db: Database) -> None:
    # The archive in date order (article_keys.DATE_ORDER), which a search by date walks until it
    # has its page of hits when its term is in many articles (see the search engine's
    # _walked_by_date) instead of sorting all of them. ~2 MB at five years, built in ~0.1 s.
    _run(db, """
CREATE INDEX article_keys_by_date ON article_keys (
    date_start IS NULL, date_start, page IS NULL, page, page_id, seq
)
""")


@migrations(name="0008_fts_body_first")
def _fts_body_first(db: Database) -> None:
    # The body as the index tables' first column. FTS5 prefixes each article's positions of a
    # token with the column's number unless it is the first column's: with the headline first,
    # nearly every entry carried two bytes more than its one position needed (most pairs occur
    # once in an article). A year's tokens indexed both ways: the two tables 80.7 -> 57.1 MB,
    # 7% fewer instructions in SQLite to insert, flush and merge them (callgrind, 2,500
    # articles). An archive indexed before is indexed again by the next maintenance pass (the
    # cleared signature), as for 0003: a year's archive took 5.5 s.
    _run(db, f"""
DROP TABLE article_chars;
DROP TABLE article_bigrams;
CREATE VIRTUAL TABLE article_chars USING fts5 (
    body, title, content='', columnsize=0, tokenize="{FTS_TOKENIZE_ASCII}"
);
CREATE VIRTUAL TABLE article_bigrams USING fts5 (
    body, title, content='', columnsize=0, tokenize="{FTS_TOKENIZE_ASCII}"
);
INSERT INTO article_chars (article_chars, rank) VALUES ('automerge', 8);
INSERT INTO article_bigrams (article_bigrams, rank) VALUES ('automerge', 8);
INSERT INTO article_chars (article_chars, rank) VALUES ('hashsize', 33554432);
INSERT INTO article_bigrams (article_bigrams, rank) VALUES ('hashsize', 33554432);
DELETE FROM char_lists;
DELETE FROM char_counts;
DELETE FROM meta WHERE key IN ('fts_fold_signature', 'fts_indexed_through', 'fts_optimized_at_articles',
                               'char_lists_through', 'char_lists_removed')
""")


@migrations(name="0009_fts_larger_buffer")
def _fts_larger_buffer(db: Database) -> None:
    # FTS5's pending-terms buffer 32 -> 128 MB: an import of up to about a year of pages indexes
    # its articles in one transaction (the pipeline's _ONE_BATCH_BYTES), and a year's pairs take
    # ~50 MB of it; with 32 MB FTS5 wrote them as two segments, which then needed merging.
    # Imports in batches keep far less pending (a batch of 1.5 M characters).
    _run(db, """
INSERT INTO article_chars (article_chars, rank) VALUES ('hashsize', 134217728);
INSERT INTO article_bigrams (article_bigrams, rank) VALUES ('hashsize', 134217728)
""")


def known_migration_names() -> list[str]:
    return [migration.name for migration in migrations._migrations]
