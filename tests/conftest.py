from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from leshan_reader.ingest.decode import decode_bytes
from leshan_reader.ingest.reflow import reflow

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))
FRONT_2021, FRONT_2022_06, FRONT_2022_07, REPORT_2021, FEATURE_2021 = (p.name for p in SEED_FILES)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch):
    """No test touches the user's real data folder."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("LESHAN_READER_HOME", str(home))
    return home


def seed_text(name: str) -> str:
    return decode_bytes((SEEDS / name).read_bytes()).text


def seed_paragraphs(name: str):
    return reflow(seed_text(name))


@pytest.fixture(scope="session")
def seed_archive(tmp_path_factory) -> Path:
    """An archive file with the five seed pages imported (built once, copied per test)."""
    from leshan_reader.library import Library

    path = tmp_path_factory.mktemp("seed-archive") / "archive.sqlite3"
    with Library.open(path) as library:
        assert library.stats()["pages"] == 5
    return path


@pytest.fixture(scope="module")
def articles(seed_archive):
    """The seed archive's articles: id -> (headline, text), both normalized (what search oracles
    compare against)."""
    from leshan_reader.library import Library
    from leshan_reader.text.normalize import normalize

    with Library.open(seed_archive) as library:
        rows = library.conn.execute("SELECT id, title, text FROM articles").fetchall()
    return {row["id"]: (normalize(row["title"]), normalize(row["text"])) for row in rows}


@pytest.fixture
def library(seed_archive, tmp_path):
    from leshan_reader.library import Library

    path = tmp_path / "archive.sqlite3"
    shutil.copy(seed_archive, path)
    with Library.open(path) as lib:
        yield lib
