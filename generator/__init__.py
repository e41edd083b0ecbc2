"""Compile Markdown training content into an Anki package (cloze, phrasing and scenario cards)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("wahrheiten-deck")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
