"""Run one command as a fresh process: its wall time, peak memory (peak RSS) and exit code.

The command runs under bench/launch.py, a small parent, so that the peak RSS reported is the
command's own and not that of the large benchmark process it would otherwise be forked from.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

LAUNCHER = Path(__file__).resolve().parent / "launch.py"


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_kb: int  # the process's peak resident set size
    returncode: int
    stderr: str


def run(command: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> Run:
    with tempfile.TemporaryDirectory() as folder:
        result, errors = Path(folder) / "result", Path(folder) / "stderr"
        with errors.open("wb") as stream:
            subprocess.run([sys.executable, "-S", "-I", str(LAUNCHER), str(result), *command],
                           stdout=subprocess.DEVNULL, stderr=stream, env=env, cwd=cwd, check=False)
        seconds, max_rss, code = result.read_text().split()
        stderr = errors.read_text(encoding="utf-8", errors="replace")
    return Run(float(seconds), int(max_rss), int(code), stderr)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0
