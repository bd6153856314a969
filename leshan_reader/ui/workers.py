"""Running long work off the GUI thread.

``run_in_background(fn, on_done, on_error)`` calls ``fn(library)`` on a worker thread with that
thread's own archive connection and delivers the result on the GUI thread. Work is serialized on
one worker thread (one writer at a time, like Anki's operations); searches have their own thread
so that typing never waits for an import.
"""

from __future__ import annotations

import threading
import traceback
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from leshan_reader.library import Library

_local = threading.local()


def thread_library(path: Path) -> Library:
    """The calling thread's own connection to the archive at ``path``."""
    libraries = getattr(_local, "libraries", None)
    if libraries is None:
        libraries = _local.libraries = {}
    library = libraries.get(path)
    if library is None:
        library = libraries[path] = Library.open(path, seed_if_new=False)
    return library


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object, str)
    progress = Signal(int, int, str)


class _Job(QRunnable):
    def __init__(self, path: Path, fn: Callable[..., Any], signals: _Signals, with_progress: bool) -> None:
        super().__init__()
        self.path, self.fn, self.signals, self.with_progress = path, fn, signals, with_progress
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            library = thread_library(self.path)
            if self.with_progress:
                result = self.fn(library, lambda done, total, text="": self.signals.progress.emit(done, total, text))
            else:
                result = self.fn(library)
        except BaseException as exc:  # delivered to the GUI thread, which decides how to show it
            self.signals.failed.emit(exc, traceback.format_exc())
        else:
            self.signals.done.emit(result)


class Worker(QObject):
    """A single background thread for one kind of work (archive writes, or searches)."""

    def __init__(self, archive_path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.archive_path = archive_path
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.pool.setExpiryTimeout(-1)  # keep the thread, and so its archive connection
        self._live: set[_Signals] = set()

    def submit(
        self,
        fn: Callable[..., Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException, str], None] | None = None,
        on_progress: Callable[[int, int, str], None] | None = None,
    ) -> _Signals:
        signals = _Signals()
        self._live.add(signals)

        def finish() -> None:
            self._live.discard(signals)

        if on_done:
            signals.done.connect(on_done)
        if on_error:
            signals.failed.connect(on_error)
        if on_progress:
            signals.progress.connect(on_progress)
        signals.done.connect(lambda _: finish())
        signals.failed.connect(lambda *_: finish())
        # With on_progress, fn is called as fn(library, progress) and may report from its thread.
        self.pool.start(_Job(self.archive_path, fn, signals, on_progress is not None))
        return signals

    def wait(self, msecs: int = -1) -> bool:
        return self.pool.waitForDone(msecs)
