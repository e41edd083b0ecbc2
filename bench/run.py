"""`make bench`: the whole `build` against a bare genanki script (the floor) at 100 to 50,000 notes.

Each measurement is a fresh process; floor and build alternate; medians are reported. Cold
builds start without lock file and without parse cache; warm builds find the cache of the
previous build; the incremental case edits one file of the 10,000-note set between builds.
Prints a table and writes build/bench.json. Options: --sizes 100,1000 --runs 3 --quick.
"""

from __future__ import annotations

import argparse
import compileall
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

from generator.cache import LOADED_CODE, code_fingerprint

ROOT = Path(__file__).resolve().parent.parent
SIZES = (100, 1_000, 10_000, 50_000)
EPOCH = "1800000000"  # SOURCE_DATE_EPOCH: the same bytes on every run
LIMITS = {"time": 1.5, "memory": 1.5, "growth": 5.5, "incremental": 0.5}
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


def environment() -> dict[str, str]:
    return {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}


def prepare_synthetic(notes: int, workdir: Path) -> Case:
    folder = workdir / f"notes-{notes}"
    shutil.rmtree(folder, ignore_errors=True)
    data = synth.write_content(folder / "content", notes)
    synth.write_floor_data(folder / "floor.json", data)
    files = len(data["decks"]) - 1
    return Case(f"{notes:,} notes", notes, files, folder / "content", folder / "floor.json", folder)


def prepare_default(workdir: Path) -> Case:
    """The project's own deck; its floor input is read from a reference build (same notes, no Markdown)."""
    from generator.ids import write_missing_keys
    from generator.notetypes import NOTE_TYPES

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
    """A run failed or warned, or floor and build disagree: its figures would mean nothing."""


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


def verify_same_notes(case: Case) -> None:
    """The floor must write exactly the notes the build writes, or the comparison means nothing."""
    cold(case)
    checked(case, measure.run(build_command(case), environment()))
    checked(case, measure.run(floor_command(case), environment()))
    difference = apkg.first_difference(apkg.package_notes(case.output),
                                       apkg.package_notes(case.folder / "floor.apkg"))
    if difference:
        raise BenchError(f"{case.name}: floor and build wrote different notes: {difference}")


def measure_case(case: Case, runs: int) -> dict[str, Any]:
    verify_same_notes(case)
    samples: dict[str, list[measure.Run]] = {"floor": [], "cold": [], "warm": []}
    for index in range(runs):
        order = ["floor", "cold", "warm"] if index % 2 == 0 else ["cold", "warm", "floor"]
        for kind in order:
            samples[kind].append(_one(case, kind))
    summary = {kind: _summary(values) for kind, values in samples.items()}
    floor = summary["floor"]
    return {"name": case.name, "notes": case.notes, "files": case.files, **summary,
            "time_ratio": summary["cold"]["median_ms"] / floor["median_ms"],
            "warm_time_ratio": summary["warm"]["median_ms"] / floor["median_ms"],
            "memory_ratio": summary["cold"]["peak_mb"] / floor["peak_mb"]}


def _one(case: Case, kind: str) -> measure.Run:
    if kind == "floor":
        return checked(case, measure.run(floor_command(case), environment()))
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


def targets(sizes: list[dict[str, Any]], default: dict[str, Any] | None,
            incremental: dict[str, Any] | None) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    by_notes = {s["notes"]: s for s in sizes}
    for notes in (10_000, 50_000):
        if notes in by_notes:
            found.append(_target(f"cold build time / floor at {notes:,} notes", by_notes[notes]["time_ratio"],
                                 LIMITS["time"]))
            found.append(_target(f"warm build time / floor at {notes:,} notes",
                                 by_notes[notes]["warm_time_ratio"], LIMITS["time"]))
    for entry in sizes:
        found.append(_target(f"peak memory / floor at {entry['notes']:,} notes", entry["memory_ratio"],
                             LIMITS["memory"]))
    if 10_000 in by_notes and 50_000 in by_notes:
        growth = by_notes[50_000]["cold"]["median_ms"] / by_notes[10_000]["cold"]["median_ms"]
        found.append(_target("cold build growth 10,000 -> 50,000 notes", growth, LIMITS["growth"]))
    if default is not None:
        found.append(_target(f"{default['name']} cold build time / floor", default["time_ratio"],
                             LIMITS["time"]))
    if incremental is not None:
        found.append(_target("rebuild after one edit / full build (10,000 notes)", incremental["ratio"],
                             LIMITS["incremental"]))
        found.append({"name": "incremental output identical to full build",
                      "met": incremental["identical_output"]})
    return found


def _target(name: str, value: float, limit: float) -> dict[str, Any]:
    return {"name": name, "value": round(value, 3), "limit": limit, "met": value <= limit}


def print_table(sizes: list[dict[str, Any]], incremental: dict[str, Any] | None,
                found: list[dict[str, Any]]) -> None:
    print(f"\n{'content':<28}{'files':>6}{'floor ms':>10}{'cold ms':>10}{'ratio':>7}{'warm ms':>10}"
          f"{'ratio':>7}{'floor MB':>10}{'build MB':>10}{'ratio':>7}")
    for s in sizes:
        print(f"{s['name']:<28}{s['files']:>6}{s['floor']['median_ms']:>10.0f}{s['cold']['median_ms']:>10.0f}"
              f"{s['time_ratio']:>7.2f}{s['warm']['median_ms']:>10.0f}{s['warm_time_ratio']:>7.2f}"
              f"{s['floor']['peak_mb']:>10.1f}{s['cold']['peak_mb']:>10.1f}{s['memory_ratio']:>7.2f}")
    if incremental:
        print(f"\nrebuild after editing {incremental['edited']} ({incremental['name']}): "
              f"{incremental['incremental']['median_ms']:.0f} ms, "
              f"full build {incremental['full']['median_ms']:.0f} ms "
              f"(ratio {incremental['ratio']:.2f}); output identical: {incremental['identical_output']}")
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
    parser.add_argument("--output", type=Path, default=ROOT / "build" / "bench.json")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    runs = 3 if args.quick else args.runs
    if args.quick:
        sizes = [s for s in sizes if s < 50_000]
    workdir = ROOT / "build" / "bench"
    # As pip does for an installed package: the generator's bytecode written once, not compiled again
    # in every measured process (this machine sets PYTHONDONTWRITEBYTECODE; genanki has its bytecode).
    compileall.compile_dir(ROOT / "generator", quiet=1)
    results, incremental = [], None
    default = measure_default(workdir, runs)
    for notes in sizes:
        case = prepare_synthetic(notes, workdir)
        results.append(measure_case(case, runs))
        print(f"measured {case.name}", flush=True)
        if notes == INCREMENTAL_SIZE:
            incremental = measure_incremental(case, runs)
    found = targets(results, default, incremental)
    watch_latency = measure_watch_latency(ROOT / "content", workdir)
    found.append({"name": "watch: save to rebuilt output, default content (median, ms)",
                  "value": watch_latency["median_ms"], "limit": watch_latency["limit_ms"],
                  "met": watch_latency["met"]})
    print_table([default, *results] if default else results, incremental, found)
    code_changed = code_fingerprint() != LOADED_CODE
    if code_changed:
        print("\nwarning: generator files changed during the run: caches were missed, measure again")
    report = {"machine": machine(), "runs": runs, "limits": LIMITS, "default_deck": default, "sizes": results,
              "incremental": incremental, "watch": watch_latency, "targets": found,
              "code_changed_during_run": code_changed}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}")


if __name__ == "__main__":
    try:
        main()
    except BenchError as failure:
        raise SystemExit(str(failure)) from None
