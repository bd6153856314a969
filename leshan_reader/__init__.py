"""Leshan Reader (乐山日报阅读器): an offline reader for the Leshan Daily archive."""

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("leshan-reader")
except _metadata.PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
