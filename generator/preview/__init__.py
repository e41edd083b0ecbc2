"""The offline preview page and printable handout: every card as Anki renders it."""
