"""Rules over the model: keys, numbering, cloze gaps, lengths, markup and images -> diagnostics."""
