"""The trainer-edit fuzzer: random sequences of realistic edits to a released deck, built and re-imported
into a learner's collection with the real Anki backend.

Invariant: each build either fails with errors at a file and line and leaves every output as it was, or
every released note still in the source keeps its note id, its cards' scheduling and its review log, shows
the source's current text, every released note gone from the source shows the withdrawal notice and its
tag while keeping its history, no card shows `{{` or raw Markdown, no release lists the same text as
both retired and added, and a plan places every card of the package within its days. FUZZ_EXAMPLES sets
how many sequences run (`make fuzz` runs many more).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from anki.collection import Collection
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from generator import pipeline
from generator.anki.curriculum import note_cards
from generator.errors import ContentError
from generator.ids import write_missing_keys
from generator.release.withdrawn import withdrawn_tag
from tests.anki_support import all_cards, answer_all, import_package, open_collection
from tests.conftest import DEFAULT_CONTENT, FIXTURES, copy_content, snapshot
from tests.trainer_edits import EDITS, truth_files

RELEASE_1, RELEASE_2 = 1_800_000_000, 1_800_086_400
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
KEY = re.compile(r"<!--\s*key:\s*(\S+?)\s*-->")
RAW_MARKDOWN = re.compile(r"\{\{|\}\}|\*\*|\]\(|<!--|^#|~~")
Scheduling = tuple[int, int, int, int, int, int]


@dataclass(frozen=True)
class Released:
    content: Path
    build: Path
    collection: Path  # a learner's collection after importing release 1 and studying every card
    keys: dict[str, str]  # note key -> GUID
    history: dict[str, tuple[int, dict[int, Scheduling]]]  # GUID -> (note id, card ord -> scheduling)


def learner_history(collection: Collection) -> dict[str, tuple[int, dict[int, Scheduling]]]:
    revlog = dict(collection.db.all("select cid, count() from revlog group by cid"))
    found: dict[str, tuple[int, dict[int, Scheduling]]] = {}
    for card in all_cards(collection):
        note = collection.get_note(card.nid)
        found.setdefault(note.guid, (note.id, {}))[1][card.ord] = (
            card.ivl, card.due, card.reps, card.lapses, card.type, revlog.get(card.id, 0))
    return found


def release(source: Path, folder: Path) -> Released:
    content = copy_content(source, folder / "content")
    built = pipeline.build(content, folder / "build" / "deck.apkg", now=RELEASE_1)
    collection = open_collection(folder / "learner")
    try:
        import_package(collection, built.output)
        assert answer_all(collection) >= built.notes
        history = learner_history(collection)
    finally:
        collection.close()
    keys = {key: note.guid for key, note in built.compiled.lock.notes.items()}
    return Released(content, folder / "build", folder / "learner" / "collection.anki2", keys, history)


@pytest.fixture(scope="module", params=["fuzz_deck", "default"])
def released(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Released:
    source = FIXTURES / "fuzz_deck" if request.param == "fuzz_deck" else DEFAULT_CONTENT
    return release(source, tmp_path_factory.mktemp(request.param))


def keys_in_source(content: Path) -> set[str]:
    return {key for path in truth_files(content) for key in KEY.findall(path.read_text(encoding="utf-8"))}


def check_failed_build(failure: ContentError, before: dict[str, tuple[bytes, int]], work: Path,
                       content: Path, build: Path) -> None:
    errors = [d for d in failure.diagnostics if d.is_error]
    assert errors, "a failed build names at least one error"
    for error in errors:
        assert error.location.path, error.format()
        whole_file = error.location.path.endswith(("deck.lock", "deck.md"))
        assert error.location.line > 0 or whole_file, error.format()
    assert snapshot(content, build) == before, "a failed build changed an output"
    assert not [p for p in work.rglob("*.tmp")], "a failed build left a temporary file"


def check_plan(built: pipeline.BuildResult) -> None:
    """With a plan: every card of the package on exactly one day, no day over the limit, siblings apart
    whenever the plan has room for them."""
    compiled = built.compiled
    curriculum, plan = compiled.curriculum, compiled.content.deck.plan
    if plan is None:
        assert curriculum.preset is None and not curriculum.days
        return
    cards = [card for note in compiled.deck.notes for card in note_cards(note)]
    placed = [card for day in curriculum.days for card in day.cards]
    assert sorted(placed) == sorted(cards) and len(curriculum.days) <= plan.days
    assert all(len(day.cards) <= curriculum.new_per_day for day in curriculum.days)
    if all(len(note_cards(note)) <= plan.days for note in compiled.deck.notes):
        day_of = {card: day.number for day in curriculum.days for card in day.cards}
        for note in compiled.deck.notes:
            days = [day_of[card] for card in note_cards(note)]
            assert days == sorted(set(days)), f"siblings of {note.key} share a day"


def check_learner(released: Released, built: pipeline.BuildResult, content: Path, work: Path) -> None:
    shutil.copy(released.collection, work / "collection.anki2")
    collection = Collection(str(work / "collection.anki2"))
    try:
        counts = import_package(collection, built.output)
        assert counts.conflicting == 0 and counts.missing_notetype == 0
        now = learner_history(collection)
        fields = {n.guid: list(n.fields) for n in built.compiled.deck.notes}
        for key in keys_in_source(content) & set(released.keys):
            guid = released.keys[key]
            assert guid in fields, f"released note {key} is in the source but not in the package"
            note_id, cards = released.history[guid]
            assert now[guid][0] == note_id, f"note {key} got a new note id"
            for ordinal, scheduling in cards.items():
                assert now[guid][1][ordinal] == scheduling, f"note {key} lost the history of card {ordinal}"
            assert list(collection.get_note(note_id).fields) == fields[guid], f"note {key} shows old text"
        for key in set(released.keys) - keys_in_source(content):
            note_id, cards = released.history[released.keys[key]]
            note = collection.get_note(note_id)
            assert withdrawn_tag(built.compiled.deck.key) in note.tags, f"{key} was not withdrawn"
            assert "Zurückgezogen" in "".join(note.fields), f"{key} still teaches"
            assert now[note.guid][1] == cards, f"{key} lost its history"
        for card in all_cards(collection):
            for side in (card.question(), card.answer()):
                assert not RAW_MARKDOWN.search(re.sub(r"<style>.*?</style>", "", side, flags=re.S)), side
    finally:
        collection.close()
    check_plan(built)
    lock = built.compiled.lock
    if built.compiled.new_release:
        retired = {lock.retired[k].label for k in lock.changes.retired if k in lock.retired}
        added = {lock.notes[k].label for k in lock.changes.added}
        assert not retired & added, f"the same text retired and added: {retired & added}"


@settings(max_examples=EXAMPLES, deadline=None, derandomize="FUZZ_SEED" not in os.environ,
          phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_sequence_of_trainer_edits_keeps_history_or_fails_at_a_line(released: Released,
                                                                         data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory(prefix="fuzz-") as folder:
        work = Path(folder)
        content, build = work / "content", work / "build"
        shutil.copytree(released.content, content)
        shutil.copytree(released.build, build)
        steps = [data.draw(st.sampled_from(EDITS), label="edit")(data, content)
                 for _ in range(data.draw(st.integers(1, 4), label="edits"))]
        data.draw(st.just(steps), label="done")
        before = snapshot(content, build)
        try:
            write_missing_keys(content)  # as a trainer does after adding notes; it refuses or adds keys only
        except ContentError as failure:
            event("ids refused at a line")
            check_failed_build(failure, before, work, content, build)
            return
        before = snapshot(content, build)
        try:
            built = pipeline.build(content, build / "deck.apkg", now=RELEASE_2)
        except ContentError as failure:
            event("build failed at a line")
            check_failed_build(failure, before, work, content, build)
            return
        event("built and imported")
        check_learner(released, built, content, work)
