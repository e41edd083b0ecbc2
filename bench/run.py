"""`make bench`: the whole `build` against two references, the default deck and 1,000 to 50,000 notes.

The floor (bench/floor.py) is a bare genanki script writing the same notes from their finished
fields; the plain script (bench/plain.py) parses the same Markdown with markdown-it and writes it
with genanki, without checks, cache, lock or release notes. Each measurement is a fresh process;
floor, plain, cold and warm builds alternate; medians are reported. Cold builds start without lock
file and without build cache; warm builds find every file in the cache of the previous build; the
incremental case edits one file of the 10,000-note set between builds; the watch case times save
to rebuilt output on the default deck. The budgets (issue 12) are guard rails, not targets.
Prints a table and writes build/bench.json. Options: --sizes 1000,10000 --runs 3 --quick.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import apkg
import measure
import synth
from watch_latency import measure_watch_latency

from generator.cache import code_fingerprint

ROOT = Path(__file__).resolve().parent.parent
SIZES = (1_000, 10_000, 50_000)
EPOCH = "1800000000"  # SOURCE_DATE_EPOCH: the same bytes on every run
LIMITS = {  # issue 12's budget
    "cold_to_plain": 1.5,  # every cold build, default deck and every size
    "warm_to_floor": 2.0,  # every warm build (all files cached)
    "memory_to_floor": 2.0,  # peak memory of every build
    "growth": 5.5,  # cold build time, 10,000 -> 50,000 notes
    "incremental": 0.5,  # rebuild after editing one file / cold build, 10,000 notes
    "watch_ms": 200.0,  # save to updated output, default deck (median)
}
INCREMENTAL_SIZE = 10_000


@dataclass(frozen=True)
class Case:
    """One content set with its floor input and its own build folder."""

    name: str
    notes: int
    files: int
    content: Path
    floor_input: Path
    folder: Path

    @property
    def output(self) -> Path:
        return self.folder / "build" / "deck.apkg"

    @property
    def cache(self) -> Path:
        return self.folder / "build" / ".cache"


def build_command(case: Case) -> list[str]:
    script = Path(sys.executable).parent / "wahrheiten-deck"
    program = [str(script)] if script.exists() else [sys.executable, "-m", "generator"]
    return [*program, "build", str(case.content), "-o", str(case.output)]


def floor_command(case: Case) -> list[str]:
    return [sys.executable, str(ROOT / "bench" / "floor.py"), str(case.floor_input),
            str(case.folder / "floor.apkg")]


def plain_command(case: Case) -> list[str]:
    return [sys.executable, str(ROOT / "bench" / "plain.py"), str(case.content),
            str(case.folder / "plain.apkg")]


def environment() -> dict[str, str]:
    """As a user's shell would run them: with SOURCE_DATE_EPOCH, and with Python writing its bytecode
    (some machines set PYTHONDONTWRITEBYTECODE; then every process would compile the generator again)."""
    return {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
            "SOURCE_DATE_EPOCH": EPOCH}


def prepare_synthetic(notes: int, workdir: Path) -> Case:
    folder = workdir / f"notes-{notes}"
    shutil.rmtree(folder, ignore_errors=True)
    data = synth.write_content(folder / "content", notes)
    synth.write_floor_data(folder / "floor.json", data)
    files = len(data["decks"]) - 1
    return Case(f"{notes:,} notes", notes, files, folder / "content", folder / "floor.json", folder)


def prepare_default(workdir: Path) -> Case:
    """The project's own deck; its floor input is read from a reference build (same notes, no Markdown)."""
    from generator.anki.notetypes import NOTE_TYPES
    from generator.ids import write_missing_keys

    folder = workdir / "default"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(ROOT / "content", folder / "content", ignore=shutil.ignore_patterns("*.lock"))
    write_missing_keys(folder / "content")
    case = Case("default deck", 0, 0, folder / "content", folder / "floor.json", folder)
    checked(case, measure.run(build_command(case), environment()))
    decks, notes = apkg.floor_input(case.output, {t.id: kind for kind, t in NOTE_TYPES.items()})
    synth.write_floor_data(case.floor_input, synth.floor_data(decks, notes))
    files = len(list(case.content.glob("*.md"))) - 1 - (case.content / "README.md").exists()
    name = f"default deck ({len(notes)} notes)"
    return Case(name, len(notes), files, case.content, case.floor_input, folder)


class BenchError(Exception):
    """A run failed or warned, or a reference and the build disagree: its figures would mean nothing."""


def measure_default(workdir: Path, runs: int) -> dict[str, Any] | None:
    try:
        measured = measure_case(prepare_default(workdir), runs)
    except BenchError as failure:  # the real content is edited by hand: report it, measure the rest
        print(f"default deck not measured: {failure}", flush=True)
        return None
    print(f"measured {measured['name']}", flush=True)
    return measured


def checked(case: Case, result: measure.Run) -> measure.Run:
    if result.returncode != 0 or result.stderr.strip():
        raise BenchError(f"{case.name}: the run failed or warned (exit {result.returncode}):\n"
                         f"{result.stderr}")
    return result


def cold(case: Case) -> None:
    (case.content / "deck.lock").unlink(missing_ok=True)
    shutil.rmtree(case.cache, ignore_errors=True)


def verify_same_notes(case: Case) -> int:
    """The floor must write exactly the notes the build writes, the plain script the same notes (GUIDs,
    note types, tags; its fields are not sanitised), or the comparison means nothing. Returns how many
    of the plain script's notes have exactly the build's fields."""
    cold(case)
    checked(case, measure.run(build_command(case), environment()))
    checked(case, measure.run(floor_command(case), environment()))
    checked(case, measure.run(plain_command(case), environment()))
    built = apkg.package_notes(case.output)
    difference = apkg.first_difference(built, apkg.package_notes(case.folder / "floor.apkg"))
    if difference:
        raise BenchError(f"{case.name}: floor and build wrote different notes: {difference}")
    plain = apkg.package_notes(case.folder / "plain.apkg")
    difference = apkg.first_difference(_shape(built), _shape(plain))
    if difference:
        raise BenchError(f"{case.name}: the plain script and the build wrote different notes: {difference}")
    return sum(a == b for a, b in zip(built, plain, strict=True))


def _shape(notes: list[apkg.NoteRow]) -> list[apkg.NoteRow]:
    """GUID, note type, tags and the number of fields of every note."""
    return [(guid, kind, tags, f"{fields.count(chr(0x1F)) + 1} fields") for guid, kind, tags, fields in notes]


KINDS = ("floor", "plain", "cold", "warm")


def measure_case(case: Case, runs: int) -> dict[str, Any]:
    same_fields = verify_same_notes(case)
    samples: dict[str, list[measure.Run]] = {kind: [] for kind in KINDS}
    for index in range(runs):
        order = KINDS if index % 2 == 0 else ("cold", "warm", "plain", "floor")
        for kind in order:
            samples[kind].append(_one(case, kind))
    summary = {kind: _summary(values) for kind, values in samples.items()}
    floor, plain = summary["floor"], summary["plain"]
    build_peak = max(summary["cold"]["peak_mb"], summary["warm"]["peak_mb"])
    return {"name": case.name, "notes": case.notes, "files": case.files, **summary,
            "plain_fields_identical": same_fields,
            "cold_to_plain": summary["cold"]["median_ms"] / plain["median_ms"],
            "cold_to_floor": summary["cold"]["median_ms"] / floor["median_ms"],
            "warm_to_floor": summary["warm"]["median_ms"] / floor["median_ms"],
            "memory_to_floor": build_peak / floor["peak_mb"]}


def _one(case: Case, kind: str) -> measure.Run:
    if kind in ("floor", "plain"):
        command = floor_command(case) if kind == "floor" else plain_command(case)
        return checked(case, measure.run(command, environment()))
    (case.content / "deck.lock").unlink(missing_ok=True)
    if kind == "cold":
        shutil.rmtree(case.cache, ignore_errors=True)
    return checked(case, measure.run(build_command(case), environment()))


def _summary(runs: list[measure.Run]) -> dict[str, Any]:
    return {"median_ms": 1000 * measure.median([r.seconds for r in runs]),
            "peak_mb": measure.median([r.peak_kb / 1024 for r in runs]),
            "runs_ms": [round(1000 * r.seconds, 1) for r in runs],
            "runs_peak_mb": [round(r.peak_kb / 1024, 1) for r in runs]}


def measure_incremental(case: Case, runs: int) -> dict[str, Any]:
    """Edit one file, rebuild with the cache of the previous build; then a full build of the same state.

    Each rebuild starts from the state the build of the unedited content left: its lock and its cache.
    """
    cold(case)
    checked(case, measure.run(build_command(case), environment()))
    lock = (case.content / "deck.lock").read_bytes()
    previous_cache = case.folder / "previous-cache"  # what the build before the edit left
    shutil.rmtree(previous_cache, ignore_errors=True)
    shutil.copytree(case.cache, previous_cache)
    edited = sorted(case.content.glob("[0-9]*.md"))[len(list(case.content.glob("[0-9]*.md"))) // 2]
    original = edited.read_text(encoding="utf-8")
    incremental, full, identical = [], [], True
    try:
        for index in range(runs):
            edited.write_text(original.replace("denn es zählt", f"denn es zählt {index + 2}-mal", 1),
                              encoding="utf-8")
            (case.content / "deck.lock").write_bytes(lock)
            shutil.rmtree(case.cache, ignore_errors=True)
            shutil.copytree(previous_cache, case.cache)
            incremental.append(checked(case, measure.run(build_command(case), environment())))
            rebuilt = case.output.read_bytes()
            (case.content / "deck.lock").write_bytes(lock)
            shutil.rmtree(case.cache, ignore_errors=True)
            full.append(checked(case, measure.run(build_command(case), environment())))
            identical = identical and rebuilt == case.output.read_bytes()
    finally:
        edited.write_text(original, encoding="utf-8")
        (case.content / "deck.lock").unlink(missing_ok=True)
    full_summary, incremental_summary = _summary(full), _summary(incremental)
    return {"name": case.name, "edited": edited.name, "full": full_summary,
            "incremental": incremental_summary, "identical_output": identical,
            "ratio": incremental_summary["median_ms"] / full_summary["median_ms"]}


def targets(default: dict[str, Any] | None, synthetic: list[dict[str, Any]],
            incremental: dict[str, Any] | None, watch: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Every budget of issue 12 that this run measured: met or not, with its value."""
    found: list[dict[str, Any]] = []
    sizes = [default, *synthetic] if default else synthetic
    for entry in sizes:
        found.append(_target(f"cold build / plain script, {entry['name']}", entry["cold_to_plain"],
                             LIMITS["cold_to_plain"]))
    for entry in sizes:
        found.append(_target(f"warm build / floor, {entry['name']}", entry["warm_to_floor"],
                             LIMITS["warm_to_floor"]))
    for entry in sizes:
        found.append(_target(f"peak memory / floor, {entry['name']}", entry["memory_to_floor"],
                             LIMITS["memory_to_floor"]))
    by_notes = {s["notes"]: s for s in synthetic}
    if 10_000 in by_notes and 50_000 in by_notes:
        growth = by_notes[50_000]["cold"]["median_ms"] / by_notes[10_000]["cold"]["median_ms"]
        found.append(_target("cold build growth 10,000 -> 50,000 notes", growth, LIMITS["growth"]))
    if incremental is not None:
        found.append(_target(f"rebuild after one edit / cold build, {incremental['name']}",
                             incremental["ratio"], LIMITS["incremental"]))
        found.append({"name": "rebuilt output identical to a cold build's",
                      "met": incremental["identical_output"]})
    if watch is not None:
        found.append(_target("watch: save to updated output, default deck (median ms)", watch["median_ms"],
                             LIMITS["watch_ms"]))
    return found


def _target(name: str, value: float, limit: float) -> dict[str, Any]:
    return {"name": name, "value": round(value, 3), "limit": limit, "met": value <= limit}


def print_table(sizes: list[dict[str, Any]], incremental: dict[str, Any] | None, watch: dict[str, Any] | None,
                found: list[dict[str, Any]]) -> None:
    print(f"\n{'content':<28}{'files':>6}{'floor ms':>10}{'plain ms':>10}{'cold ms':>10}{'/plain':>7}"
          f"{'warm ms':>10}{'/floor':>7}{'floor MB':>10}{'plain MB':>10}{'build MB':>10}{'/floor':>7}")
    for s in sizes:
        build_mb = max(s["cold"]["peak_mb"], s["warm"]["peak_mb"])
        print(f"{s['name']:<28}{s['files']:>6}{s['floor']['median_ms']:>10.0f}{s['plain']['median_ms']:>10.0f}"
              f"{s['cold']['median_ms']:>10.0f}{s['cold_to_plain']:>7.2f}{s['warm']['median_ms']:>10.0f}"
              f"{s['warm_to_floor']:>7.2f}{s['floor']['peak_mb']:>10.1f}{s['plain']['peak_mb']:>10.1f}"
              f"{build_mb:>10.1f}{s['memory_to_floor']:>7.2f}")
    if incremental:
        print(f"\nrebuild after editing {incremental['edited']} ({incremental['name']}): "
              f"{incremental['incremental']['median_ms']:.0f} ms, "
              f"cold build {incremental['full']['median_ms']:.0f} ms "
              f"(ratio {incremental['ratio']:.2f}); output identical: {incremental['identical_output']}")
    if watch:
        print(f"watch, default deck: save to updated output {watch['median_ms']:.0f} ms median, "
              f"{watch['worst_ms']:.0f} ms worst of {watch['saves']} saves")
    print()
    for target in found:
        shown = f"{target['value']:.2f} (limit {target['limit']})" if "value" in target else ""
        print(f"  {'met    ' if target['met'] else 'NOT MET'}  {target['name']} {shown}")


def machine() -> dict[str, Any]:
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            "commit": commit.strip(), "load_average": os.getloadavg()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="note counts, comma-separated")
    parser.add_argument("--runs", type=int, default=5, help="measurements per variant (median)")
    parser.add_argument("--quick", action="store_true", help="3 runs, no 50,000-note set")
    parser.add_argument("--no-default", action="store_true", help="skip the default deck and watch")
    parser.add_argument("--output", type=Path, default=ROOT / "build" / "bench.json")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    runs = 3 if args.quick else args.runs
    if args.quick:
        sizes = [s for s in sizes if s < 50_000]
    workdir = ROOT / "build" / "bench"
    code_at_start = code_fingerprint()
    results, incremental, watch = [], None, None
    default = None if args.no_default else measure_default(workdir, runs)
    for notes in sizes:
        case = prepare_synthetic(notes, workdir)
        results.append(measure_case(case, runs))
        print(f"measured {case.name}", flush=True)
        if notes == INCREMENTAL_SIZE:
            incremental = measure_incremental(case, runs)
    if not args.no_default:
        watch = measure_watch_latency(ROOT / "content", workdir)
    measured = [default, *results] if default else results
    found = targets(default, results, incremental, watch)
    print_table(measured, incremental, watch, found)
    code_changed = code_fingerprint() != code_at_start
    if code_changed:
        print("\nwarning: generator files changed during the run: caches were missed, measure again")
    report = {"machine": machine(), "runs": runs, "limits": LIMITS, "default_deck": default, "sizes": results,
              "incremental": incremental, "watch": watch, "targets": found,
              "code_changed_during_run": code_changed}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}")


if __name__ == "__main__":
    try:
        main()
    except BenchError as failure:
        raise SystemExit(str(failure)) from None
