import os
import shutil

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported



@pytest.fixture
def archive_copy(seed_archive, tmp_path):
    path = tmp_path / "archive.sqlite3"
    shutil.copy(seed_archive, path)
    return path


@pytest.fixture
def make_window(qtbot, archive_copy):
    """A real main window on a copy of the seed archive; call again for a 'restart'."""
    from leshan_reader.core import i18n
    from leshan_reader.library import Library
    from leshan_reader.ui.mainwindow import MainWindow
    from leshan_reader.ui.settings import Settings

    opened = []

    def make():
        settings = Settings()
        i18n.set_language(settings.get("language"))
        library = Library.open(archive_copy)
        window = MainWindow(library, settings)
        qtbot.addWidget(window)
        if settings.window_state("geometry") is None:  # first run: a laptop screen, not offscreen's 800x600
            window.resize(1280, 800)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        window.windowHandle().requestActivate()  # offscreen has no window manager to do it
        qtbot.waitUntil(window.isActiveWindow)
        window.load_archive()
        opened.append(window)
        return window

    yield make
    for window in opened:
        window.searcher.wait(5000)
        window.writer.wait(10000)
    i18n.set_language(i18n.ZH)
