"""The README stays true: its pictures exist, its commands exist, its quick start has two lines."""

import re

from leshan_reader.cli import build_parser
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_every_picture_in_the_readme_exists():
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README)
    assert pictures and all((REPO / picture).is_file() for picture in pictures)


def test_every_command_in_the_readme_table_exists():
    commands = set(re.findall(r"`leshan-reader (\w+)", README))
    subparsers = next(a for a in build_parser()._actions if a.dest == "command")
    assert commands - {"search"} <= set(subparsers.choices)  # `search -- -茶叶` is an example too
    assert {"import", "issues", "page", "search", "glossary", "convert", "check", "gui"} <= commands


def test_the_quick_start_has_exactly_two_commands():
    block = re.search(r"<!-- quick-start -->\s*```(?:bash|sh)?\n(.*?)```", README, re.S).group(1)
    lines = [line for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert len(lines) == 2 and lines[0].endswith("leshan-reader") and "pytest" in lines[1]
