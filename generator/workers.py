"""Compile the truth files: unchanged ones from the cache, the rest on all cores when there is enough text.

With several cores, forked children compile shares of the files while this process compiles its
own share. A child inherits everything it needs (modules, sources, deck) and, per file, pickles
its result once: the same bytes become the cache entry and come back to this process through a
temporary file, which this process reads while the child goes on. Shares are fixed up front, by
the size of the text: handing out work while compiling would keep the children waiting for this
process (measured with a process pool: its worker idled a third of the time). A child that fails
leaves its share to this process, which compiles it again (and so reports the error the usual way).

Only a single-threaded process forks: forking a threaded process can deadlock.
"""

from __future__ import annotations

import gc
import os
import pickle
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from generator.cache import BuildCache, write_entry
from generator.model import DeckInfo
from generator.progress import NO_PROGRESS, Progress
from generator.sources import SourceFile
from generator.truthfile import TruthFile, compile_truth_file

# Measured on 2 cores: 300 notes (140,000 characters) compile no faster in two processes; 600 notes
# (285,000) compile 1.2 times as fast, 1,000 notes 1.35 times, 10,000 notes 1.5 times.
PARALLEL_MIN_BYTES = 300_000
# This process also unpickles the children's results (meanwhile, as they come): its own share is smaller.
OWN_SHARE_COST = 1.2


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
    processes = min(_cores(), len(sources))
    if processes > 1 and sum(len(s.data) for s in sources) >= PARALLEL_MIN_BYTES and _can_fork():
        return _in_parallel(sources, deck, entries, processes, progress)
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


def shares(sizes: Sequence[int], processes: int) -> list[list[int]]:
    """The files' indices split into `processes` shares of about equal text, biggest files first;
    the first share (this process's) counts its text OWN_SHARE_COST times."""
    loads = [0.0] * processes
    split: list[list[int]] = [[] for _ in range(processes)]
    for index in sorted(range(len(sizes)), key=lambda i: -sizes[i]):
        lightest = min(range(processes), key=lambda p: loads[p])
        split[lightest].append(index)
        loads[lightest] += sizes[index] * (OWN_SHARE_COST if lightest == 0 else 1.0)
    return split


def _in_parallel(sources: list[SourceFile], deck: DeckInfo | None, entries: list[Path | None], processes: int,
                 progress: Progress) -> list[TruthFile]:
    own, *others = shares([len(s.data) for s in sources], processes)
    results: dict[int, TruthFile] = {}
    # Frozen objects are left out of collections: the children's collector then leaves the inherited
    # objects (and so their memory pages) alone. They stay frozen here too, as collector_paused leaves them.
    gc.freeze()
    children = []
    for share in others:
        child = _fork(share, sources, deck, entries) if share else None
        if child is None:
            own += share  # not forked (or nothing to do): compiled here
        else:
            children.append(child)
    try:
        for index in own:
            results[index] = _compile_here(sources[index], deck, entries[index])
            progress.advance()
        while children:
            job, share, output = children.pop(0)
            for index, data in zip(share, _collect(job, output, len(share)), strict=True):
                results[index] = pickle.loads(data) if data is not None else _compile_here(
                    sources[index], deck, entries[index])
                progress.advance()
    finally:
        for job, share, output in children:  # only after an error here: no child is left behind
            for _ in _collect(job, output, len(share)):
                pass
    return [results[i] for i in range(len(sources))]


def _fork(share: list[int], sources: list[SourceFile], deck: DeckInfo | None,
          entries: list[Path | None]) -> tuple[ChildJob, list[int], BinaryIO] | None:
    """A child compiling `share`, with the share and the file its results go to as it goes; None if
    this process cannot fork."""
    output = tempfile.TemporaryFile(prefix="wahrheiten-")  # noqa: SIM115 (closed by _collect)

    def compile_share() -> None:
        for index in share:
            data = pickle.dumps(compile_truth_file(sources[index], deck), pickle.HIGHEST_PROTOCOL)
            if entries[index] is not None:
                write_entry(entries[index], data)  # type: ignore[arg-type]
            output.write(len(data).to_bytes(8, "big") + data)  # a record the parent can read at once
            output.flush()

    job = start_in_child(compile_share)
    if job is None:
        output.close()
        return None
    return job, share, output


def _collect(job: ChildJob, output: BinaryIO, count: int) -> Iterator[bytes | None]:
    """A child's pickled results, each as soon as the child has written it; None for each one it did
    not write because it failed. The child is waited for (and so never left behind) in any case."""
    with output:
        position = 0
        try:
            for written in range(count):
                while (record := _record(output.fileno(), position)) is None:
                    if not job.running():
                        yield from [None] * (count - written)
                        return
                    time.sleep(0.001)
                position += 8 + len(record)
                yield record
        finally:
            job.succeeded()


def _record(descriptor: int, position: int) -> bytes | None:
    """The record at `position` of a child's output file, or None if it is not all written yet."""
    header = os.pread(descriptor, 8, position)
    if len(header) < 8:
        return None
    size = int.from_bytes(header, "big")
    data = os.pread(descriptor, size, position + 8)
    return data if len(data) == size else None


class ChildJob:
    """A task running in a forked child."""

    def __init__(self, pid: int, results: int) -> None:
        self.pid = pid
        self.exit_code: int | None = None
        self.results = results  # the reading end of the pipe the child writes its result to
        self.result = b""  # the task's result, once the child ended well

    def running(self) -> bool:
        """Whether the child is still running (without waiting for it)."""
        if self.exit_code is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self._ended(status)
        return self.exit_code is None

    def succeeded(self) -> bool:
        """Waits for the child; whether it ended well (then its task's result is in `result`)."""
        if self.exit_code is None:
            self._ended(os.waitpid(self.pid, 0)[1])
        return self.exit_code == 0

    def _ended(self, status: int) -> None:
        self.exit_code = os.waitstatus_to_exitcode(status)
        with os.fdopen(self.results, "rb") as results:
            self.result = results.read() if self.exit_code == 0 else b""


def start_in_child(task: Callable[[], bytes | None]) -> ChildJob | None:
    """Run `task` in a forked child while this process goes on; None if this process must not fork.

    The child inherits everything, reports whether it succeeded and the task's result (a few bytes:
    they must fit a pipe's buffer), and never runs this process's exit code; if it fails, the caller
    does the task itself (and so sees the error). Only what the task touches is copied for the child.
    """
    if not _can_fork():
        return None
    results, result_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.close(results)
            if result := task():
                os.write(result_end, result)
            code = 0
        finally:
            os._exit(code)
    os.close(result_end)
    return ChildJob(pid, results)


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
