"""Watch mode on the default content: time from saving a file to the rebuilt package and preview.

Runs `generator.watch.watch` in a thread of this process, as `wahrheiten-deck watch` does; the time
includes watchfiles noticing the save (it waits for one quiet step) and the rebuild from the cache.
"""

from __future__ import annotations

import queue
import shutil
import statistics
import threading
import time
from pathlib import Path
from typing import Any

from generator.ids import write_missing_keys
from generator.watch import Rebuild, watch

WAIT_S = 10.0


def measure_watch_latency(content: Path, workdir: Path, saves: int = 10) -> dict[str, Any]:
    """Save a truth file `saves` times while watch runs; the median and worst save-to-output times."""
    folder = workdir / "watch"
    shutil.rmtree(folder, ignore_errors=True)
    target = folder / "content"
    shutil.copytree(content, target, ignore=shutil.ignore_patterns("*.lock"))
    write_missing_keys(target)
    done: queue.Queue[tuple[float, Rebuild]] = queue.Queue()
    stop = threading.Event()
    thread = threading.Thread(target=watch, daemon=True, kwargs=dict(
        content_dir=target, on_rebuild=lambda r: done.put((time.monotonic(), r)),
        output=folder / "out" / "deck.apkg", preview_dir=folder / "out" / "preview", stop=stop))
    thread.start()
    latencies = []
    try:
        done.get(timeout=WAIT_S)  # the first build
        truth = sorted(target.glob("[0-9]*.md"))[0]
        for index in range(saves):
            text = truth.read_text(encoding="utf-8")
            saved = time.monotonic()
            edited = text.replace("## Kernaussage\n\n", f"## Kernaussage\n\nSpeicherung {index}: ", 1)
            truth.write_text(edited, encoding="utf-8")
            finished, result = done.get(timeout=WAIT_S)
            if not result.ok:
                raise RuntimeError("watch rebuild failed on valid content")
            latencies.append(finished - saved)
            truth.write_text(text, encoding="utf-8")
            done.get(timeout=WAIT_S)
    finally:
        stop.set()
        thread.join(timeout=WAIT_S)
    return {"saves": saves, "median_ms": statistics.median(latencies) * 1000,
            "worst_ms": max(latencies) * 1000, "runs_ms": [round(1000 * latency, 1) for latency in latencies]}
