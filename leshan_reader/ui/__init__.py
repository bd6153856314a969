"""The reader window (PySide6). The only package besides ``app.py`` that imports Qt.

Qt classes that start-up does not need — dialogs, message boxes, the classes that paint search
results, event classes named only in annotations — are reached through the module
(``QtWidgets.QFileDialog``) or imported for type checkers only. PySide creates a class, with its
Python enums, when it is first imported by name: ``QStyle`` costs 8 ms, ``QFileDialog`` 4 ms, the
event classes 3 ms; reached through the module they cost start-up nothing (import of the window
modules, fastest of twelve: 90-94 -> 75-83 ms).
"""
