"""The command line: every command is a few lines over the ``Library`` facade.

``--json`` output is a contract (tests and scripts rely on it): UTF-8, not ASCII-escaped.
Foreseeable problems print one line without a traceback and exit with status 2.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import sys
import time
import traceback
from pathlib import Path

from leshan_reader.core import paths
from leshan_reader.core.errors import Cancelled, UserError


def _use_utf8_output() -> None:
    # A Windows console (cp1252, cp936) cannot encode every character of a page: never crash on it.
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")


def _print_json(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _open(args, **kwargs):
    from leshan_reader.library import Library

    # Opening may rebuild the search index (after an upgrade: about 10 s a year of pages).
    progress = _TerminalProgress()
    try:
        return Library.open(args.db, progress=progress, **kwargs)
    finally:
        progress.finish()


# --- commands ---------------------------------------------------------------------------------

def cmd_gui(args) -> int:
    from leshan_reader.app import run_gui

    return run_gui(args)


class _TerminalProgress:
    """A one-line progress bar on stderr, only when stderr is a terminal and the job is long."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self.shown = False

    def __call__(self, done: int, total: int, message: str = "") -> None:
        if not self.enabled or total < 20:
            return
        width = 30
        filled = int(width * done / total) if total else width
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {message[:40]:<40}")
        sys.stderr.flush()
        self.shown = True

    def finish(self) -> None:
        if self.shown:
            sys.stderr.write("\r" + " " * 90 + "\r")


def cmd_import(args) -> int:
    progress = _TerminalProgress()
    with _open(args, seed_if_new=False) as library:
        try:
            report = library.import_paths(args.paths, progress)
        finally:
            progress.finish()
    if args.json:
        _print_json(report.to_json())
    else:
        for item in report.files:
            if item.outcome == "rejected":
                print(f"rejected {item.path}: {item.reason}", file=sys.stderr)
            elif item.outcome == "replaced":
                print(f"replaced {item.source} (the file changed)")
            for warning in item.warnings:
                print(f"note {item.source}: {warning}", file=sys.stderr)
        for problem in report.problems:
            print(f"note: {problem}", file=sys.stderr)
        print(report.summary())
    return 0 if report.ok else 1


def cmd_issues(args) -> int:
    with _open(args) as library:
        issues = library.issues()
    if args.json:
        _print_json([
            {"date": i["date"], "date_precision": i["date_precision"], "pages": i["pages"]} for i in issues
        ])
        return 0
    for issue in issues:
        print(date_label(issue["date"], issue["date_precision"]))
        for page in issue["pages"]:
            number = f"第{page['page']}版" if page["page"] else "版次不明"
            print(f"  [{page['id']}] {number}  {page['source']}")
    return 0


def date_label(date: str | None, precision: str | None) -> str:
    if date is None:
        return "undated"
    if precision == "day":
        return date
    return f"{date} (date not printed)"


def cmd_page(args) -> int:
    with _open(args) as library:
        page = library.page(args.id)
    if args.script and args.script != "hans":
        from leshan_reader.conversion import to_script, to_script_with_spans

        page["text"] = to_script(page["text"], args.script)
        page["script"] = args.script
        for article in page["articles"]:
            for key in ("title", "kicker", "deck", "byline"):
                article[key] = to_script(article[key], args.script)
            spans = [(term["start"], term["end"]) for term in article["terms"]]
            article["text"], moved = to_script_with_spans(article["text"], spans, args.script)
            for term, (start, end) in zip(article["terms"], moved):
                term["start"], term["end"] = start, end
                term["term"] = to_script(term["term"], args.script)
    if args.json:
        _print_json(page)
        return 0
    number = f"第{page['page']}版" if page["page"] else "版次不明"
    print(f"{date_label(page['date'], page['date_precision'])}  {number}  {page['source']}")
    print()
    print(page["raw"] if args.raw else page["text"])
    return 0


def _search_options(args):
    from leshan_reader.search.engine import SearchOptions

    return SearchOptions(
        date_from=args.date_from, date_to=args.date_to, page=args.page, order=args.order,
        limit=args.limit,
    )


def _print_hits(result) -> None:
    print(f"{result.total} article(s) match {result.query!r}")
    for hit in result.hits:
        number = f"第{hit.page}版" if hit.page else "版次不明"
        title = hit.title or "(no headline)"
        print(f"\n{date_label(hit.date, hit.date_precision)} {number} [page {hit.page_id}] {title}"
              f"  ({hit.matches} match{'es' if hit.matches != 1 else ''})")
        print(f"  {hit.marked_snippet()}")


def cmd_search(args) -> int:
    if (args.query is None) == (args.queries_file is None):
        raise UserError("Give either a QUERY or --queries-file FILE.")
    options = _search_options(args)
    with _open(args, read_only=False) as library:
        if args.query is not None:
            result = library.search(args.query, options)
            _print_json(result.to_json()) if args.json else _print_hits(result)
            return 0
        try:
            lines = Path(args.queries_file).read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(f"Cannot read {args.queries_file}: {exc}") from None
        for line in lines:
            if not line.strip():
                continue
            try:
                data = library.search(line, options).to_json()
            except UserError as exc:
                data = {"query": line, "total": 0, "hits": [], "error": str(exc)}
            sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    return 0


def source_label(entry: dict) -> str:
    """Where a definition was printed: 2021年政府工作报告, 第3版 (2021, 003_….txt)."""
    page = f"第{entry['page']}版" if entry["page"] else "版次不明"
    return f"{entry['source_title']}, {page} ({date_label(entry['date'], entry['date_precision'])}, {entry['source']})"


def cmd_glossary(args) -> int:
    with _open(args) as library:
        entries = library.glossary(args.text)
    if args.script != "hans":
        from leshan_reader.conversion import to_script

        for entry in entries:
            entry["term"] = to_script(entry["term"], args.script)
            entry["definition"] = to_script(entry["definition"], args.script)
            entry["aliases"] = [to_script(a, args.script) for a in entry["aliases"]]
    if args.json:
        _print_json(entries)
        return 0
    if not entries:
        print("no glossary entry matches" if args.text else "the archive has no glossary yet", file=sys.stderr)
        return 1 if args.text else 0
    for entry in entries:
        aliases = f"  （又作：{'、'.join(entry['aliases'])}）" if entry["aliases"] else ""
        print(f"{entry['term']}{aliases}")
        print(f"  {entry['definition']}".replace("\n", "\n  "))
        print(f"  — {source_label(entry)}")
        print()
    return 0


def cmd_convert(args) -> int:
    from leshan_reader.conversion import to_script

    # Line by line, so that a long export streams and memory stays bounded.
    source = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else sys.stdin
    for raw in source:
        line = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
        sys.stdout.write(to_script(line, args.script))
    sys.stdout.flush()
    return 0


def cmd_check(args) -> int:
    from leshan_reader.store import article_keys
    from leshan_reader.store.fts import integrity_check

    # An existing archive is checked without writing to it (it may be damaged); a missing default
    # archive is created first, as every other command does.
    exists = (args.db or paths.default_archive_path()).exists()
    with (_open(args, read_only=True, seed_if_new=False) if exists else _open(args)) as library:
        problems = [row[0] for row in library.conn.execute("PRAGMA integrity_check")]
        if problems == ["ok"]:  # the file is sound: are the search keys in step with the pages?
            problems = article_keys.problems(library.conn) or problems
        fts_problem = integrity_check(library.conn) if not library.read_only else None
        stats = library.stats()
    ok = problems == ["ok"] and fts_problem is None
    report = {"ok": ok, "database": problems, "search_index": fts_problem or "ok", **stats}
    if args.json:
        _print_json(report)
    else:
        print(f"archive {'OK' if ok else 'DAMAGED'}: {stats['pages']} pages, {stats['articles']} articles")
        if not ok:
            for problem in problems if problems != ["ok"] else []:
                print(f"  database: {problem}")
            if fts_problem:
                print(f"  search index: {fts_problem}")
    return 0 if ok else 1


# --- parser -----------------------------------------------------------------------------------

class _VersionAction(argparse.Action):
    """--version, reading the version only when asked (start-up need not pay for it)."""

    def __init__(self, option_strings, dest, **kwargs) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        import leshan_reader

        print(f"{parser.prog} {leshan_reader.__version__}")
        parser.exit()


def _common_options(*, defaults: bool) -> argparse.ArgumentParser:
    """``--db`` and ``--json``, given before the command or after it. After it they have no
    defaults: a command's default replaced what was given before it (``leshan-reader --db X
    import ...`` imported into the default archive)."""
    common = argparse.ArgumentParser(add_help=False)
    unset = {} if defaults else {"default": argparse.SUPPRESS}
    common.add_argument("--db", type=Path, **({"default": None} | unset),
                        help=f"archive file (default: {paths.default_archive_path()})")
    common.add_argument("--json", action="store_true", **unset,
                        help="machine-readable output (UTF-8 JSON)")
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common_options(defaults=False)  # the commands' own
    parser = argparse.ArgumentParser(
        prog="leshan-reader", parents=[_common_options(defaults=True)],
        description="Leshan Reader (乐山日报阅读器): read and search the Leshan Daily archive offline.",
    )
    parser.add_argument("--version", action=_VersionAction)
    parser.set_defaults(func=cmd_gui, smoke=False, smoke_output=None, qt_platform=None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    gui = sub.add_parser("gui", parents=[common], help="open the reader window (the default)")
    gui.add_argument("--smoke", action="store_true",
                     help="open the window, exercise it, print timings as JSON and exit")
    gui.add_argument("--smoke-output", type=Path, default=None,
                     help="with --smoke: write the JSON to this file too (a windowed exe has no stdout)")
    # Qt's -platform, for headless smoke tests where QT_QPA_PLATFORM cannot be set (Wine drops it).
    gui.add_argument("--qt-platform", default=None, help=argparse.SUPPRESS)
    gui.set_defaults(func=cmd_gui)

    imp = sub.add_parser("import", parents=[common], help="import page files or folders")
    imp.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    imp.set_defaults(func=cmd_import)

    iss = sub.add_parser("issues", parents=[common], help="list issues and their pages by date")
    iss.set_defaults(func=cmd_issues)

    page = sub.add_parser("page", parents=[common], help="print one page (reflowed, or --raw)")
    page.add_argument("id", type=int)
    page.add_argument("--raw", action="store_true", help="the OCR text exactly as imported")
    page.add_argument("--script", choices=["hans", "hant", "tw", "twp", "hk"], default="hans",
                      help="print in this script (default: as printed)")
    page.set_defaults(func=cmd_page)

    search = sub.add_parser("search", parents=[common], help="full-text search")
    search.add_argument("query", nargs="?", help='terms; "quoted phrase"; -exclude; A OR B')
    search.add_argument("--queries-file", type=Path, help="one query per line; JSON lines out")
    search.add_argument("--from", dest="date_from", metavar="DATE", help="YYYY[-MM[-DD]]")
    search.add_argument("--to", dest="date_to", metavar="DATE", help="YYYY[-MM[-DD]]")
    search.add_argument("--page", type=int, help="only this page number")
    search.add_argument("--limit", type=int, help="at most N hits (the total is always reported)")
    search.add_argument("--order", choices=["relevance", "date"], default="relevance")
    search.set_defaults(func=cmd_search)

    scripts = ["hans", "hant", "tw", "twp", "hk"]
    glossary = sub.add_parser("glossary", parents=[common],
                              help="glossary entries (名词解释), all or those matching TEXT")
    glossary.add_argument("text", nargs="?", help="a term, alias or any text that starts with one")
    glossary.add_argument("--script", choices=scripts, default="hans")
    glossary.set_defaults(func=cmd_glossary)

    convert = sub.add_parser("convert", help="convert standard input to another script (UTF-8)")
    convert.add_argument("--script", choices=scripts, required=True,
                         help="hant 繁體, tw 臺灣正體, twp 臺灣正體+詞彙, hk 香港繁體, hans 不变")
    convert.set_defaults(func=cmd_convert)

    check = sub.add_parser("check", parents=[common], help="check the archive's integrity")
    check.set_defaults(func=cmd_check)
    return parser


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no file descriptor (an embedding's stream): nothing to flush
        pass


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()
    if getattr(sys, "frozen", False):  # a frozen app's import worker processes start here
        import multiprocessing

        multiprocessing.freeze_support()
    _use_utf8_output()
    args = build_parser().parse_args(argv)
    args.started = started
    try:
        code = args.func(args)
        sys.stdout.flush()  # here, where a closed pipe is caught, not at exit
        return code
    except UserError as exc:
        print(f"leshan-reader: {exc}", file=sys.stderr)
        return exc.exit_code
    except Cancelled:
        print("leshan-reader: cancelled", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("\nleshan-reader: interrupted; the archive keeps the files committed before it (a re-run adds the rest).",
              file=sys.stderr)
        return 130
    except Exception as exc:
        if isinstance(exc, OSError) and _output_reader_gone(exc):
            # The reader of our output left (`leshan-reader search 茶 | head`): end quietly, as
            # a Unix tool killed by SIGPIPE would. Python flushes stdout once more at exit;
            # pointing it at the null device keeps that flush from raising again.
            _silence_stdout()
            return 141
        return _report_internal_error()


def _output_reader_gone(exc: OSError) -> bool:
    if isinstance(exc, BrokenPipeError):
        return True
    # Windows reports writing into a closed pipe as EINVAL about as often as EPIPE
    # (cpython#79935); stdout is the closed pipe if a second flush of what it holds fails too.
    if sys.platform != "win32" or exc.errno != errno.EINVAL:
        return False
    try:
        sys.stdout.flush()
    except OSError:
        return True
    return False


def _report_internal_error() -> int:
    """A bug: keep the details in the log, tell the user where."""
    log_path = paths.data_dir() / "leshan-reader.log"
    try:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "a", encoding="utf-8") as handle:
            handle.write(traceback.format_exc() + "\n")
    except OSError:
        log_path = None
    where = f" Details were written to {log_path}." if log_path else ""
    print(f"leshan-reader: internal error (a bug, not your data).{where}", file=sys.stderr)
    return 70
