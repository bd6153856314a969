"""The reader window (PySide6). The only package besides ``app.py`` that imports Qt."""
