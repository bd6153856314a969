"""The core stays Qt-free: only leshan_reader.ui and leshan_reader.app may import PySide6."""

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "leshan_reader"


def test_no_module_outside_the_ui_imports_qt():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith("ui/") or relative == "app.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(name.split(".")[0] in ("PySide6", "shiboken6") for name in names):
                offenders.append(relative)
    assert offenders == []


def test_the_cli_core_commands_run_without_loading_qt():
    code = (
        "import sys, leshan_reader.cli, leshan_reader.library, leshan_reader.search.engine;"
        "leshan_reader.cli.build_parser();"
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_migration_names_the_store_checks_are_the_schema_migrations():
    from leshan_reader.store import db, schema

    assert tuple(schema.known_migration_names()) == db.MIGRATION_NAMES


def test_opening_an_up_to_date_archive_loads_neither_the_importer_nor_sqlite_utils(seed_archive):
    code = (
        "import sys; from leshan_reader.library import Library;"
        f"lib = Library.open({str(seed_archive)!r}); lib.search('乐山'); lib.page(1);"
        "print(sorted({m.split('.')[0] if m.startswith('sqlite_utils') else m for m in sys.modules"
        " if m.startswith(('sqlite_utils', 'leshan_reader.ingest'))}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
