"""The notes written under an H3 heading: scenarios (also combined ones, across truths) and "Welche
Wahrheit?" recognition notes, each a set of `**Label:** text` paragraphs."""

from __future__ import annotations

import re
from collections.abc import Iterator

from generator.model import Choice, RecognitionNote, ScenarioNote
from generator.source.markdown import KEY_COMMENT, Block, KeySlot, heading_text, is_key_comment, line_of
from generator.source.notefields import NoteBuilder, is_comment_block, label_of

SCENARIO_LABELS = {
    "Situation": "situation", "Kunde": "customer", "Reaktion": "reaction", "Warum": "why",
    "Verlockend, aber falsch": "wrong", "Auswahl": "choices", "Branche": "sectors",
}
COMBINED_LABELS = {**SCENARIO_LABELS, "Wahrheiten": "truths"}
RECOGNITION_LABELS = {"Situation": "situation", "Wahrheit": "truth", "Warum": "why",
                      "Verlockend, aber falsch": "wrong", "Branche": "sectors"}
SCENARIO_REQUIRED = ("Situation", "Kunde", "Reaktion", "Warum", "Verlockend, aber falsch")
RECOGNITION_REQUIRED = ("Situation", "Wahrheit", "Warum", "Verlockend, aber falsch")
NUMBERS = re.compile(r"^\d{1,2}(?:\s*,\s*\d{1,2})*$")


class TruthNoteBuilder(NoteBuilder):
    """Builds every kind of note of one truth file (or of the practice file)."""

    def scenarios(self, blocks: list[Block], combined: bool = False) -> Iterator[ScenarioNote]:
        """The scenarios of `## Szenarien`, or with `combined` of `## Kombinierte Szenarien` (each names
        the truths it combines in `**Wahrheiten:**`)."""
        for heading, body in self._headed(blocks, "Kombinierte Szenarien" if combined else "Szenarien"):
            labels = COMBINED_LABELS if combined else SCENARIO_LABELS
            required = (*SCENARIO_REQUIRED, "Wahrheiten") if combined else SCENARIO_REQUIRED
            key, title, values, choices = self._headed_note(heading, body, labels, required, "scenario")
            if values is None:
                continue
            truths = self._truth_numbers(heading, values["Wahrheiten"], 2, 3) if combined else ()
            if combined and not truths:
                continue
            yield ScenarioNote(
                key, title, values["Situation"], values["Kunde"], values["Reaktion"], values["Warum"],
                values["Verlockend, aber falsch"], choices, self._at(heading), self._sectors(heading, values),
                truths)

    def recognitions(self, blocks: list[Block]) -> Iterator[RecognitionNote]:
        """The notes of `## Welche Wahrheit?`: a situation, and the number of the truth it calls for."""
        for heading, body in self._headed(blocks, "Welche Wahrheit?"):
            key, title, values, _ = self._headed_note(heading, body, RECOGNITION_LABELS,
                                                      RECOGNITION_REQUIRED, "recognition note")
            if values is None:
                continue
            truths = self._truth_numbers(heading, values["Wahrheit"], 1, 1)
            if truths:
                yield RecognitionNote(key, title, values["Situation"], truths[0], values["Warum"],
                                      values["Verlockend, aber falsch"], self._at(heading),
                                      self._sectors(heading, values))

    def _headed(self, blocks: list[Block], section: str) -> list[tuple[Block, list[Block]]]:
        """The section's notes: each an H3 heading with the blocks below it."""
        groups: list[tuple[Block, list[Block]]] = []
        for node in blocks:
            if node.type == "heading" and node.tag == "h3":
                groups.append((node, []))
            elif groups:
                groups[-1][1].append(node)
            elif not is_comment_block(node):
                self._fail(node, f"text in `## {section}` before the first note",
                           "start every note with a heading `### Title`")
        return groups

    def _headed_note(self, heading: Block, body: list[Block], labels: dict[str, str],
                     required: tuple[str, ...], what: str,
                     ) -> tuple[str, str, dict[str, str] | None, tuple[Choice, ...]]:
        """Key, title, labelled values (None if the note is incomplete) and answer choices of a note
        written as an H3 heading with `**Label:** text` paragraphs."""
        key, values = "", {}
        choices: tuple[Choice, ...] = ()
        for index, node in enumerate(body):
            if is_key_comment(node):
                key = key or self._attach(KEY_COMMENT.search(node.content).group(1),  # type: ignore[union-attr]
                                          line_of(node))
            elif node.type == "paragraph":
                values.update(self._labelled(node.children[0].content, line_of(node), labels))
            elif (node.type == "bullet_list" and index and label_of(body[index - 1]) == "Auswahl"
                  and "Auswahl" in labels):
                choices = tuple(self._choices(node))
            elif not is_comment_block(node):
                self._fail(node, f"unexpected content in a {what}",
                           "write only `**Label:** text` paragraphs"
                           + (" and the `**Auswahl:**` list" if "Auswahl" in labels else ""))
        title = heading_text(heading)
        if not title:
            self._fail(heading, f"the {what} has no title", "write a short title after `### `")
        missing = [label for label in required if not values.get(label)]
        named = f"the {what} „{title}“" if title else f"the {what}"
        for label in missing:
            self._fail(heading, f"{named} has no `**{label}:**`",
                       f"add a paragraph `**{label}:** …` to the {what}")
        if not key:
            self.slots.append(KeySlot(line_of(heading), "", self.prefix, title))
        return key, title, None if missing or not title else values, choices

    def _truth_numbers(self, heading: Block, text: str, least: int, most: int) -> tuple[int, ...]:
        """`**Wahrheit:** 9` or `**Wahrheiten:** 3, 9`: distinct truth numbers, as many as allowed."""
        label = "Wahrheit" if most == 1 else "Wahrheiten"
        numbers = tuple(int(n) for n in text.split(",")) if NUMBERS.match(text.strip()) else ()
        if len(set(numbers)) != len(numbers) or not least <= len(numbers) <= most:
            wanted = "one truth number" if most == 1 else f"{least} to {most} different truth numbers"
            example = "9" if most == 1 else "3, 9"
            self._fail(heading, f"`**{label}:** {text}` must be {wanted}",
                       f"write e.g. `**{label}:** {example}`")
            return ()
        return numbers
