import pytest

from leshan_reader.core.dates import PartialDate, parse_range_bound
from leshan_reader.ingest.metadata import ManifestFinder, metadata_from_name, read_manifest
from tests.conftest import SEEDS


@pytest.mark.parametrize(
    "name, date, page",
    [
        ("2021-09-15_03.txt", "2021-09-15", 3),
        ("archive/2021/2021-09-15_12.txt", "2021-09-15", 12),
        ("20220630_1.txt", "2022-06-30", 1),
        ("2022_07_06 第2版.txt", "2022-07-06", 2),
        ("2021-09-15.txt", "2021-09-15", None),
    ],
)
def test_dates_and_pages_from_file_names(name, date, page):
    found = metadata_from_name(name)
    assert (found.date.label, found.page) == (date, page)


def test_names_without_a_date_give_nothing():
    assert metadata_from_name("000_07d425494b1a8dc8.txt") is None


def test_an_impossible_date_in_a_file_name_is_reported():
    found = metadata_from_name("2021-02-30_01.txt")
    assert found.date is None and "no day 30" in found.problem


def test_partial_dates():
    assert PartialDate.parse("2021").precision == "year"
    assert (PartialDate.parse("2021").start, PartialDate.parse("2021").end) == ("2021-01-01", "2021-12-31")
    assert PartialDate.parse("2024-02").end == "2024-02-29"
    with pytest.raises(ValueError, match="no day 30"):
        PartialDate.parse("2021-02-30")
    assert parse_range_bound("2021-06", upper=True) == "2021-06-30"


def test_the_seed_manifest_describes_every_seed_page():
    manifest = read_manifest(SEEDS / "manifest.toml")
    assert manifest.problems == []
    assert {k: (e.date.label, e.page) for k, e in manifest.entries.items()} == {
        "000_07d425494b1a8dc8.txt": ("2021-09-15", 1),
        "001_163a9bebb00dc6d4.txt": ("2022-06-30", 1),
        "002_73012ee53591c949.txt": ("2022-07-06", 1),
        "003_134116d0d86b0779.txt": ("2021", 3),
        "004_1f340a6c8eacb42e.txt": ("2021", None),
    }


def test_a_csv_manifest_and_its_problems_are_reported(tmp_path):
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    (tmp_path / "manifest.csv").write_text(
        "file,date,page,colour\n"
        "a.txt,2021-09-15,2,red\n"
        "b.txt,2021-02-30,1,\n"
        "../escape.txt,2021,1,\n",
        encoding="utf-8",
    )
    manifest = read_manifest(tmp_path / "manifest.csv")
    assert manifest.entries["a.txt"].date.label == "2021-09-15"
    assert manifest.entries["a.txt"].page == 2
    problems = " | ".join(manifest.problems)
    assert "unknown column(s) colour" in problems
    assert "no day 30" in problems
    assert "outside the manifest's folder" in problems
    assert "lists b.txt, which is not in the folder" in problems


def test_a_manifest_in_a_parent_folder_covers_files_below_it(tmp_path):
    (tmp_path / "2021").mkdir()
    page = tmp_path / "2021" / "p.txt"
    page.write_text("x", encoding="utf-8")
    (tmp_path / "manifest.toml").write_text('[[page]]\nfile = "2021/p.txt"\ndate = "2021-03"\n', encoding="utf-8")
    entry, _ = ManifestFinder().entry_for(page, tmp_path)
    assert entry.date.label == "2021-03"
