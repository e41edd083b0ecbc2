"""Compile the truth files: unchanged ones from the cache, the rest on all cores when there is enough text.

Worker processes are forked (they inherit the imported modules: no start-up imports), and only
while the process runs no other thread, since forking a threaded process can deadlock. A worker
pickles its result once: the same bytes go to the cache and back to this process, which compiles
files itself meanwhile.
"""

from __future__ import annotations

import gc
import os
import pickle
import threading
from collections import deque
from collections.abc import Sequence
from pathlib import Path

from generator.cache import BuildCache, write_entry
from generator.model import DeckInfo
from generator.progress import NO_PROGRESS, Progress
from generator.sources import SourceFile
from generator.truthfile import TruthFile, compile_truth_file

# Measured on 2 cores: compiling 300 notes (140,000 characters) is barely faster in the pool and
# costs the workers' memory; 1,000 notes (450,000) compile 1.5 times as fast, 10,000 notes 2 times.
PARALLEL_MIN_CHARS = 300_000


def compile_truth_files(sources: Sequence[SourceFile], deck: DeckInfo | None, cache: BuildCache | None = None,
                        progress: Progress = NO_PROGRESS) -> list[TruthFile]:
    """One TruthFile per source, in order."""
    progress.stage("files", len(sources))
    keys = [cache.truth_file_key(s, deck) for s in sources] if cache else [""] * len(sources)
    results: list[TruthFile | None] = [_cached(cache, k) for k in keys] if cache else [None] * len(sources)
    progress.advance(sum(r is not None for r in results))
    missing = [i for i, r in enumerate(results) if r is None]
    entries = [cache.entry(keys[i]) if cache else None for i in missing]
    fresh = _compile_all([sources[i] for i in missing], deck, entries, progress)
    for index, result in zip(missing, fresh, strict=True):
        results[index] = result
        if cache:
            cache.mark_written(keys[index])
    return [r for r in results if r is not None]


def _cached(cache: BuildCache, key: str) -> TruthFile | None:
    found = cache.load(key)
    return found if isinstance(found, TruthFile) else None


def _compile_all(sources: list[SourceFile], deck: DeckInfo | None, entries: list[Path | None],
                 progress: Progress) -> list[TruthFile]:
    workers = min(_cores(), len(sources))
    if workers > 1 and sum(len(s.text) for s in sources) >= PARALLEL_MIN_CHARS and _can_fork():
        return _in_pool(sources, deck, entries, workers, progress)
    results = []
    for source, entry in zip(sources, entries, strict=True):
        results.append(_compile_here(source, deck, entry))
        progress.advance()
    return results


def _compile_here(source: SourceFile, deck: DeckInfo | None, entry: Path | None) -> TruthFile:
    result = compile_truth_file(source, deck)
    if entry is not None:
        write_entry(entry, pickle.dumps(result, pickle.HIGHEST_PROTOCOL))
    return result


def compile_and_keep(source: SourceFile, deck: DeckInfo | None, entry: Path | None) -> bytes:
    """In a worker: the pickled TruthFile, also written as the cache entry `entry` if given."""
    data = pickle.dumps(compile_truth_file(source, deck), pickle.HIGHEST_PROTOCOL)
    if entry is not None:
        write_entry(entry, data)
    return data


def _in_pool(sources: list[SourceFile], deck: DeckInfo | None, entries: list[Path | None], workers: int,
             progress: Progress) -> list[TruthFile]:
    """Compile in this process and in `workers - 1` forked ones.

    This process takes the smallest files itself while the workers take the biggest, so it is busy
    instead of waiting; one process fewer also holds less memory (measured at 10,000 notes on 2 cores:
    a sixth less time and 10 MB less than two workers with an idle parent).
    """
    import multiprocessing  # only large builds pay for these imports
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

    results: dict[int, TruthFile] = {}
    queue = deque(sorted(range(len(sources)), key=lambda i: -len(sources[i].text)))  # biggest first
    in_flight: dict[Future[bytes], int] = {}
    gc.freeze()  # the workers' garbage collector then leaves the inherited objects (and their pages) alone
    try:
        with ProcessPoolExecutor(workers - 1, mp_context=multiprocessing.get_context("fork")) as pool:
            while queue or in_flight:
                while queue and len(in_flight) < 2 * (workers - 1):  # one file waiting per worker
                    index = queue.popleft()
                    in_flight[pool.submit(compile_and_keep, sources[index], deck, entries[index])] = index
                if queue:
                    index = queue.pop()
                    results[index] = _compile_here(sources[index], deck, entries[index])
                    progress.advance()
                if queue:
                    done = {future for future in in_flight if future.done()}
                else:
                    done = wait(in_flight, return_when=FIRST_COMPLETED).done
                for future in done:
                    results[in_flight.pop(future)] = pickle.loads(future.result())
                    progress.advance()
    finally:
        gc.unfreeze()
    return [results[i] for i in range(len(sources))]


def _cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _can_fork() -> bool:
    """Fork only a single-threaded process; on Linux also counting threads Python did not start."""
    if not hasattr(os, "fork") or threading.active_count() != 1:
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:  # no /proc: Python's own count has to do
        return True
