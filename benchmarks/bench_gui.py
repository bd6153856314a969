"""The reader window's speed: start-up against a bare PySide6 window, the 简/繁 switch on a
10,000-character page, and typing while searches run.

    python benchmarks/bench_gui.py [--runs 5] [--years 1]

Start-up is wall time from starting the process to the first page rendered (``gui --smoke`` on
the seed archive, already created) against a bare QMainWindow shown by the same Python; both
offscreen. The switch and typing figures run in this process, offscreen, on a synthetic page and
a synthetic archive of ``--years`` years (see synthetic.py).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

BARE_WINDOW = """
import time
from PySide6.QtWidgets import QApplication, QMainWindow, QLabel
app = QApplication([])
window = QMainWindow()
window.setCentralWidget(QLabel("乐山日报"))
window.show()
app.processEvents()
print(time.time())
"""


def startup(runs: int, home: Path) -> tuple[list[float], list[float]]:
    # An installed reader starts from compiled bytecode (pip and PyInstaller compile it); a
    # checkout under PYTHONDONTWRITEBYTECODE would compile its modules again at every start.
    compileall.compile_dir(ROOT / "leshan_reader", quiet=1)
    env = {**os.environ, "LESHAN_READER_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    subprocess.run([sys.executable, "-m", "leshan_reader", "issues"], env=env, check=True,
                   capture_output=True)  # the archive exists: a normal start, not the first one
    app_ms, bare_ms = [], []
    for _ in range(runs):
        begun = time.time()
        out = subprocess.run([sys.executable, "-m", "leshan_reader", "gui", "--smoke"], env=env,
                             capture_output=True, text=True, encoding="utf-8", check=True).stdout
        report = json.loads(out.strip().splitlines()[-1])
        app_ms.append((report["first_page_wall"] - begun) * 1000)
        begun = time.time()
        out = subprocess.run([sys.executable, "-c", BARE_WINDOW], env=env, capture_output=True,
                             text=True, check=True).stdout
        bare_ms.append((float(out.strip().splitlines()[-1]) - begun) * 1000)
    return app_ms, bare_ms


def switch_and_typing(years: int, work: Path) -> dict:
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication

    from benchmarks.bench_text import seed_page_text
    from benchmarks.synthetic import generate

    os.environ["LESHAN_READER_HOME"] = str(work / "home")
    app = QApplication.instance() or QApplication([])
    from leshan_reader.library import Library
    from leshan_reader.ui.mainwindow import MainWindow
    from leshan_reader.ui.settings import Settings

    page_file = work / "2030-01-01_01.txt"
    page_file.write_text(seed_page_text(10_000), encoding="utf-8")
    folder = work / "synthetic"
    generate(folder, years)
    with Library.open(work / "archive.sqlite3", seed_if_new=False) as library:
        library.import_paths([page_file, folder])
        characters = library.stats()["characters"]
    library = Library.open(work / "archive.sqlite3", seed_if_new=False)
    window = MainWindow(library, Settings())
    window.resize(1400, 900)
    window.show()
    window.load_archive()
    page_id = library.conn.execute("SELECT id FROM pages WHERE source = ?", [page_file.name]).fetchone()[0]
    window.open_page(page_id)
    app.processEvents()
    from PySide6.QtCore import QPoint

    view = window.reader.view
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum() // 2)
    app.processEvents()
    top_before = view.cursorForPosition(QPoint(0, 0)).position()
    from leshan_reader.conversion import SCRIPTS, to_script

    for script in SCRIPTS:  # as the app does on a worker thread after the first page
        to_script("乐山日报", script)
    switches = []
    for script in ["hant", "hans", "tw", "hans", "hk", "hans", "twp", "hans"] * 3:
        started = time.perf_counter()
        window.set_script(script)
        app.processEvents()
        switches.append((time.perf_counter() - started) * 1000)
    drift = abs(view.cursorForPosition(QPoint(0, 0)).position() - top_before)  # characters

    # Type a query character by character, 80 ms apart, as searches start and are cancelled.
    keystrokes, lags = [], []
    typed = "乐山市人民政府常务会议"
    window.search.query.setFocus()
    for index in range(len(typed)):
        event = QInputMethodEvent()
        event.setCommitString(typed[index])
        started = time.perf_counter()
        QApplication.sendEvent(window.search.query, event)
        keystrokes.append((time.perf_counter() - started) * 1000)
        until = time.perf_counter() + 0.08
        while time.perf_counter() < until:  # the event loop's responsiveness meanwhile
            tick = time.perf_counter()
            app.processEvents()
            lags.append((time.perf_counter() - tick) * 1000)
            time.sleep(0.001)
    deadline = time.perf_counter() + 30
    while window.completed_generation != window.search_generation and time.perf_counter() < deadline:
        app.processEvents()
    window.close()
    library.close()
    return {"characters": characters, "switches": switches, "drift": drift,
            "keystrokes": keystrokes, "lags": lags, "hits": window.search.total}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--years", type=int, default=1)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, offscreen Qt\n")
    with tempfile.TemporaryDirectory(prefix="leshan-bench-gui-") as temp:
        app_ms, bare_ms = startup(args.runs, Path(temp) / "home")
        print(f"start-up to first page (median of {args.runs}): reader {statistics.median(app_ms):.0f} ms, "
              f"bare PySide6 window {statistics.median(bare_ms):.0f} ms, "
              f"ratio {statistics.median(app_ms) / statistics.median(bare_ms):.2f}×  (targets: < 1000 ms, ≤ 2×)")
        result = switch_and_typing(args.years, Path(temp))
    switches, keys, lags = result["switches"], result["keystrokes"], result["lags"]
    print(f"简/繁 switch on a 10,000-character page: median {statistics.median(switches):.0f} ms, "
          f"max {max(switches):.0f} ms; top of the view moved by {result['drift']} characters after "
          f"{len(switches)} switches  (target < 100 ms)")
    print(f"typing while searching ({result['characters'] / 1e6:.1f} M characters archive): keystroke "
          f"median {statistics.median(keys):.1f} ms, max {max(keys):.1f} ms; event-loop pass max "
          f"{max(lags):.1f} ms  (target < 50 ms); last query: {result['hits']} hits")
    return 0


if __name__ == "__main__":
    sys.exit(main())
