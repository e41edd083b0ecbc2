"""The truth files compiled, each as far as it can be without the others: parsed, its notes checked, its
images loaded and its cards rendered; unchanged files come from the build cache.

Nothing here looks at another truth file, so each file's result is cached on its own; the pipeline
then checks what spans files (numbers, keys) and assembles the deck.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from generator.anki.render import RenderedTruth, Renderer, render_truth
from generator.cache import BuildCache
from generator.errors import Diagnostic
from generator.model import Content, DeckInfo
from generator.progress import NO_PROGRESS, Progress
from generator.rules.notes import truth_rules
from generator.source.media import MediaSet, collect_media, truth_texts
from generator.source.parse import ParsedFile, parse_truth_file
from generator.source.reading import SourceFile


@dataclass(frozen=True)
class TruthFile:
    parsed: ParsedFile  # the truth (None if the file is too broken) and where `ids` writes keys
    diagnostics: tuple[Diagnostic, ...]  # the parser's, the note rules' and the images'
    media: MediaSet  # the file's images
    rendered: RenderedTruth | None  # None if the file has errors or there is no deck file to render for,
    # and for the practice file, which shows the truths it names: the pipeline renders it (render_practice)

    @property
    def renderable(self) -> bool:
        return self.rendered is not None or (self.parsed.truth is not None and self.parsed.truth.practice)


def compile_truth_file(source: SourceFile, deck: DeckInfo | None) -> TruthFile:
    """`deck` (its key and title name the cards' deck, tags and GUIDs) is None if the deck file is broken."""
    if source.problem:  # not UTF-8: nothing to parse
        return TruthFile(ParsedFile(diagnostics=(source.problem,)), (source.problem,), MediaSet({}), None)
    parsed = parse_truth_file(source)
    truth = parsed.truth
    if truth is None:
        return TruthFile(parsed, (*source.unprintable, *parsed.diagnostics), MediaSet({}), None)
    media = collect_media(truth_texts(truth), source.root)
    diagnostics = (*source.unprintable, *parsed.diagnostics, *truth_rules(truth), *media.diagnostics)
    if deck is None or any(d.is_error for d in diagnostics) or truth.practice:
        return TruthFile(parsed, diagnostics, media, None)
    return TruthFile(parsed, diagnostics, media, render_truth(Renderer(media), deck, truth))


def compile_truth_files(sources: Sequence[SourceFile], deck: DeckInfo | None, cache: BuildCache | None = None,
                        progress: Progress = NO_PROGRESS) -> list[TruthFile]:
    """One TruthFile per source, in order; with `cache`, unchanged files are not compiled again."""
    progress.stage("files", len(sources))
    compiled = []
    for source in sources:
        key = cache.truth_file_key(source, deck) if cache else ""
        found = cache.load(key) if cache else None
        if isinstance(found, TruthFile):
            compiled.append(found)
        else:
            result = compile_truth_file(source, deck)
            if cache:
                cache.keep(key, result)
            compiled.append(result)
        progress.advance()
    return compiled


def rendered_truths(files: Sequence[TruthFile], deck: DeckInfo, content: Content) -> list[RenderedTruth]:
    """Each file's subdeck and notes, in order; the practice file rendered here, with every truth."""
    catalog = {truth.number: truth for truth in content.truths if not truth.practice}
    return [file.rendered or render_truth(Renderer(file.media), deck, file.parsed.truth, catalog)  # type: ignore[arg-type]
            for file in files]
