"""The code's shape, as docs/ARCHITECTURE.md promises it: small modules, no import cycles, and a library
that never changes the interpreter it runs in."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "generator"
MAX_LINES = 250
# What a library must never do to its process (issue 12): fork, steer the collector, end the process.
FORBIDDEN = re.compile(r"\bos\.fork\b|\bgc\.|\bos\._exit\b|\bmarshal\b|\bisal\b")


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(("generator", *path.relative_to(PACKAGE).with_suffix("").parts))
        found[name.removesuffix(".__init__")] = path
    return found


def imports(path: Path, known: set[str]) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = ([alias.name for alias in node.names] if isinstance(node, ast.Import) else
                 [f"{node.module}.{a.name}" for a in node.names] + [node.module or ""]
                 if isinstance(node, ast.ImportFrom) else [])
        found.update(name for name in names if name in known)
    return found


def test_no_module_is_longer_than_250_lines() -> None:
    lengths = {name: len(path.read_text().splitlines()) for name, path in modules().items()}
    assert {name: n for name, n in lengths.items() if n > MAX_LINES} == {}


def test_no_import_cycles() -> None:
    known = modules()
    graph = {name: imports(path, set(known)) - {name} for name, path in known.items()}
    assert "generator.anki.render" in graph["generator.pipeline"]  # the graph sees our imports

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        for nxt in graph[start] - seen:
            seen.add(nxt)
            if nxt == target or reaches(nxt, target, seen):
                return True
        return False

    cycles = sorted(name for name in graph if reaches(name, name, set()))
    assert cycles == []


def test_the_library_never_changes_its_interpreter() -> None:
    found = [f"{path.name}:{n}" for path in PACKAGE.rglob("*.py")
             for n, line in enumerate(path.read_text().splitlines(), 1) if FORBIDDEN.search(line)]
    assert found == []
