"""Where a build's time goes: wall time per pipeline stage, optionally a cProfile of the whole build.

Usage: python bench/stages.py [NOTES] [--warm] [--reuse] [--cprofile N]. Builds the synthetic set of
NOTES notes (default 10,000) in-process with `pipeline.build`, timing the stages it reports through
its progress hooks: read (the files), files (each truth file parsed, checked and rendered, or taken
from the cache), check (across files), render (the deck assembled, the lock compared) and package
(genanki's collection, the zip, CHANGES.md and the lock written).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import resource
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth

from generator import pipeline
from generator.progress import Progress

ROOT = Path(__file__).resolve().parent.parent


class StageClock(Progress):
    """Records when each stage starts."""

    def __init__(self) -> None:
        self.marks: list[tuple[str, float, int]] = [("start", time.perf_counter(), _peak_mb())]

    def stage(self, name: str, total: int = 0) -> None:
        self.marks.append((name, time.perf_counter(), _peak_mb()))

    def close(self) -> None:
        self.marks.append(("end", time.perf_counter(), _peak_mb()))

    def report(self) -> str:
        """Each stage's time, and the process's peak memory when it ended."""
        parts = [f"{name} {1000 * (after - at):.0f} ms ({peak} MB)"
                 for (name, at, _), (_, after, peak) in zip(self.marks[1:], self.marks[2:], strict=False)]
        return " | ".join(parts) + f" | total {1000 * (self.marks[-1][1] - self.marks[0][1]):.0f} ms"


def _peak_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notes", type=int, nargs="?", default=10_000)
    parser.add_argument("--warm", action="store_true", help="build once first, then measure with the cache")
    parser.add_argument("--cprofile", type=int, default=0, metavar="N",
                        help="print the N costliest functions")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the content of an earlier run (memory figures without the generator's)")
    args = parser.parse_args()
    folder = ROOT / "build" / "bench" / f"profile-{args.notes}"
    if not (args.reuse and (folder / "content").is_dir()):
        shutil.rmtree(folder, ignore_errors=True)
        synth.write_content(folder / "content", args.notes)
    shutil.rmtree(folder / "build", ignore_errors=True)
    (folder / "content" / "deck.lock").unlink(missing_ok=True)
    output = folder / "build" / "deck.apkg"
    if args.warm:
        pipeline.build(folder / "content", output, now=1_800_000_000, cache=True)
        (folder / "content" / "deck.lock").unlink()
    clock = StageClock()
    profiler = cProfile.Profile() if args.cprofile else None
    if profiler:
        profiler.enable()
    with clock:
        pipeline.build(folder / "content", output, now=1_800_000_000, cache=True, progress=clock)
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.cprofile)
    print(clock.report())


if __name__ == "__main__":
    main()
