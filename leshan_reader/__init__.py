"""Leshan Reader (乐山日报阅读器): an offline reader for the Leshan Daily archive."""


def __getattr__(name: str):
    # The version is read from the installed metadata only when asked for (--version, About):
    # importlib.metadata costs ~40 ms of start-up.
    if name == "__version__":
        from importlib import metadata

        try:
            version = metadata.version("leshan-reader")
        except metadata.PackageNotFoundError:  # a source tree that was never installed
            version = "0.0.0+source"
        globals()["__version__"] = version
        return version
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
