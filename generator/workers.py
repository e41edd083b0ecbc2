"""Parse the truth files: unchanged ones from the cache, the rest on all cores when there is enough text.

Worker processes are forked (they inherit the imported parser: no start-up imports), and only
while the process runs no other thread, since forking a threaded process can deadlock.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Sequence

from generator.cache import BuildCache
from generator.parse import ParsedFile, parse_truth_file
from generator.progress import NO_PROGRESS, Progress
from generator.sources import SourceFile

# Measured on 2 cores: parsing 300 notes (140,000 characters) is barely faster in the pool and
# costs the workers' memory; 1,000 notes (450,000) parse 1.5 times as fast, 10,000 notes 2.1 times.
PARALLEL_MIN_CHARS = 300_000


def parse_truth_files(sources: Sequence[SourceFile], cache: BuildCache | None = None,
                      progress: Progress = NO_PROGRESS) -> list[ParsedFile]:
    """One ParsedFile per source, in order."""
    progress.stage("parse", len(sources))
    keys = [cache.source_key(s) for s in sources] if cache else []
    parsed: list[ParsedFile | None] = [_cached(cache, k) for k in keys] if cache else [None] * len(sources)
    progress.advance(sum(p is not None for p in parsed))
    missing = [i for i, p in enumerate(parsed) if p is None]
    for index, result in zip(missing, _parse_all([sources[i] for i in missing], progress), strict=True):
        parsed[index] = result
        if cache:
            cache.store(keys[index], result)
    return [p for p in parsed if p is not None]


def _cached(cache: BuildCache, key: str) -> ParsedFile | None:
    found = cache.load(key)
    return found if isinstance(found, ParsedFile) else None


def _parse_all(sources: list[SourceFile], progress: Progress) -> list[ParsedFile]:
    workers = min(_cores(), len(sources))
    if workers > 1 and sum(len(s.text) for s in sources) >= PARALLEL_MIN_CHARS and _can_fork():
        return _in_pool(sources, workers, progress)
    results = []
    for source in sources:
        results.append(parse_truth_file(source))
        progress.advance()
    return results


def _in_pool(sources: list[SourceFile], workers: int, progress: Progress) -> list[ParsedFile]:
    import multiprocessing  # only large builds pay for these imports
    from concurrent.futures import ProcessPoolExecutor, as_completed

    results: dict[int, ParsedFile] = {}
    biggest_first = sorted(range(len(sources)), key=lambda i: -len(sources[i].text))
    gc.freeze()  # the workers' garbage collector then leaves the inherited objects (and their pages) alone
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = {pool.submit(parse_truth_file, sources[i]): i for i in biggest_first}
            for future in as_completed(futures):
                results[futures[future]] = future.result()
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
