"""Run one command as a fresh process: wall time and peak memory, worker processes included.

The command runs under bench/launch.py (a small parent, so that its peak RSS is its own). While
it runs, the memory of its process tree is sampled as the sum of proportional set sizes (PSS:
pages that forked workers share with their parent count once, not once per process). The peak
reported is the larger of the two.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.02
LAUNCHER = Path(__file__).resolve().parent / "launch.py"


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_kb: int  # max(largest process's peak RSS, sampled peak PSS of the whole tree)
    max_rss_kb: int
    tree_pss_kb: int
    returncode: int
    stderr: str


def run(command: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> Run:
    with tempfile.TemporaryDirectory() as folder:
        result, errors = Path(folder) / "result", Path(folder) / "stderr"
        with errors.open("wb") as stream:
            launcher = subprocess.Popen([sys.executable, "-S", "-I", str(LAUNCHER), str(result), *command],
                                        stdout=subprocess.DEVNULL, stderr=stream, env=env, cwd=cwd)
            sampler = _TreeSampler(launcher.pid)
            sampler.start()
            launcher.wait()
            sampler.stop()
        seconds, max_rss, code = result.read_text().split()
        stderr = errors.read_text(encoding="utf-8", errors="replace")
    return Run(float(seconds), max(int(max_rss), sampler.peak_kb), int(max_rss), sampler.peak_kb, int(code),
               stderr)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


class _TreeSampler(threading.Thread):
    """Samples the summed PSS of the launcher's descendants, once they have called exec."""

    def __init__(self, launcher: int) -> None:
        super().__init__(daemon=True)
        self.launcher = launcher
        self.peak_kb = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(SAMPLE_SECONDS):
            before_exec = _cmdline(self.launcher)
            pids = [pid for pid in _tree(self.launcher)[1:] if _cmdline(pid) not in (before_exec, b"")]
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(pid) for pid in pids))

    def stop(self) -> None:
        self._done.set()
        self.join()


def _tree(pid: int) -> list[int]:
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        pending.extend(_children(current))
    return found


def _children(pid: int) -> list[int]:
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    children: list[int] = []
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as stream:
                children.extend(int(c) for c in stream.read().split())
        except OSError:
            continue
    return children


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as stream:
            return stream.read()
    except OSError:
        return b""


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as stream:
            for line in stream:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0
