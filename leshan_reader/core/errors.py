"""Errors a user can act on, kept apart from bugs.

A ``UserError`` is the environment's or the input's fault (a bad file, a locked or newer archive, a
query that cannot be searched). Its message says what happened and what to do; the CLI and the GUI
print it without a traceback. Anything else is a bug and is reported as one.
"""


class UserError(Exception):
    """A foreseeable problem, explained in words a user can act on."""

    exit_code = 2


class ArchiveError(UserError):
    """The archive file cannot be used as asked (not an archive, newer version, busy, read-only)."""


class ArchiveBusy(ArchiveError):
    """Another program is writing to the archive."""


class ReadOnlyArchive(ArchiveError):
    """The archive can be read but not written (a DVD, a shared copy, file permissions)."""


class QueryError(UserError):
    """A search query that cannot be run as typed."""


class NotFound(UserError):
    """A page, article or entry that the archive does not hold."""


class Cancelled(Exception):
    """A long job stopped because the user asked it to."""
