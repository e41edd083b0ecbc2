"""Reading content: finding files, the one Markdown parser, front matter, files -> model objects."""
