"""The reader window (PySide6). The only package besides ``app.py`` that imports Qt.

Qt classes that start-up does not need — dialogs, message boxes, the classes that paint search
results, event classes named only in annotations — are reached through the module
(``QtWidgets.QFileDialog``) or imported for type checkers only. PySide creates a class, with its
Python enums, when it is first imported by name: ``QStyle`` costs 8 ms, ``QFileDialog`` 4 ms, the
event classes 3 ms; reached through the module they cost start-up nothing (import of the window
modules, fastest of twelve: 90-94 -> 75-83 ms).

The ``Qt`` namespace is the costliest of them: the first touch of any of its enums — importing
``Qt`` by name is one — makes all 92 (1,187 members), 25-45 ms that a bare window never pays. So
nothing before the first page is painted touches it: item data roles are the ints Qt's API takes
(``USER_ROLE``), splitters keep their default orientation or set it as a property by name,
interaction flags likewise, and what needs an enum (docking the glossary panel, the term pop-up)
is done just after the first paint. Later code says ``QtCore.Qt.X``, never ``from PySide6.QtCore
import Qt``. ``gui --smoke`` reports whether it held, and a test checks it.
"""

USER_ROLE = 0x0100  # Qt.ItemDataRole.UserRole: item data roles are plain ints in Qt's API
