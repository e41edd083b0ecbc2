"""Anki: note types and fixed IDs, card fields (rendered and sanitised), the genanki-based package."""
