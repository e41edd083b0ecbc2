"""One truth file, compiled as far as it can be without the others: parsed, its notes checked, its
images loaded and its cards rendered.

Nothing here looks at another truth file, so files are compiled in worker processes and cached
one by one; the pipeline then checks what spans files (numbers, keys) and assembles the deck.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.errors import Diagnostic
from generator.media import MediaSet, collect_media, truth_texts
from generator.model import DeckInfo
from generator.parse import ParsedFile, parse_truth_file
from generator.render import RenderedTruth, Renderer, render_truth
from generator.sources import SourceFile
from generator.validate import truth_rules


@dataclass(frozen=True)
class TruthFile:
    parsed: ParsedFile  # the truth (None if the file is too broken) and where `ids` writes keys
    diagnostics: tuple[Diagnostic, ...]  # the parser's, the note rules' and the images'
    media: MediaSet  # the file's images
    rendered: RenderedTruth | None  # None if the file has errors or there is no deck file to render for


def compile_truth_file(source: SourceFile, deck: DeckInfo | None) -> TruthFile:
    """`deck` (its key and title name the cards' deck, tags and GUIDs) is None if the deck file is broken."""
    if source.problem:  # not UTF-8: nothing to parse
        return TruthFile(ParsedFile(diagnostics=(source.problem,)), (source.problem,), MediaSet({}), None)
    parsed = parse_truth_file(source)
    truth = parsed.truth
    if truth is None:
        return TruthFile(parsed, (*source.unprintable, *parsed.diagnostics), MediaSet({}), None)
    # Every image starts with "![": most files have none, and need no search for them.
    media = collect_media(truth_texts(truth), source.root) if "![" in source.text else MediaSet({})
    diagnostics = (*source.unprintable, *parsed.diagnostics, *truth_rules(truth), *media.diagnostics)
    if deck is None or any(d.is_error for d in diagnostics):
        return TruthFile(parsed, diagnostics, media, None)
    return TruthFile(parsed, diagnostics, media, render_truth(Renderer(media), deck, truth))
