"""Progress reporting and cancellation for long jobs (import, re-index, search).

Long jobs are plain functions that take a ``progress`` callback and a ``CancelToken``; the CLI
passes a terminal progress bar, the GUI a signal emitter on a worker thread, tests a list.
"""

from __future__ import annotations

import threading
from typing import Callable, Protocol

from leshan_reader.core.errors import Cancelled


class Progress(Protocol):
    def __call__(self, done: int, total: int, message: str = "") -> None: ...


# The message of an import's last step, after its files (the GUI shows its own words for it).
OPTIMIZING_INDEX = "optimising the search index"


def no_progress(done: int, total: int, message: str = "") -> None:
    return None


class CancelToken:
    """Thread-safe flag a GUI sets and a worker polls."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()


NEVER_CANCELLED = CancelToken()

ProgressCallback = Callable[[int, int, str], None]
