"""Compile Markdown training content into an Anki package (cloze, phrasing and scenario cards)."""
