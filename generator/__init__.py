"""Compile Markdown training content into an Anki package (cloze, phrasing and scenario cards)."""


def __getattr__(name: str) -> str:
    # __version__ is read on demand: importlib.metadata costs a build's start-up 25-35 ms.
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("wahrheiten-deck")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0"
