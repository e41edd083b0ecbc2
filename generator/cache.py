"""Results of earlier builds (build/.cache): each truth file compiled, keyed by what it depends on.

An entry's key covers the file's bytes, path and shown name, the deck's key and title, and the
names, sizes and times of the content folder's other files (images are checked and loaded from
there). Every key also covers the generator's own code and its libraries' installed files, so a change
there misses every entry. Entries are pickles, private to this build folder and written only by
this program; a damaged one is a miss. An entry is written as soon as its file is compiled, even
if the build then fails (it is right for its key, and the build after the fix needs it); the
outputs themselves are never touched by a failed build. After a successful build, the entries it
did not use are removed.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from generator.files import STAGED, process_alive, replace_file
from generator.model import DeckInfo
from generator.release.lock import LOCK_FILE
from generator.source.reading import SourceFile

CACHE_FORMAT = b"build-cache 5"
LIBRARIES = ("markdown_it", "mdit_py_plugins", "nh3", "yaml")  # what compiled files depend on
PACKAGE = Path(__file__).resolve().parent


class BuildCache:
    """Earlier results for one content folder, looked up and written by key."""

    def __init__(self, folder: Path, salt: bytes) -> None:
        self.folder = folder
        self.salt = salt
        self.used: set[str] = set()

    @classmethod
    def open(cls, cache_dir: Path, content_dir: Path) -> BuildCache:
        root = content_dir.resolve()
        folder = cache_dir / hashlib.sha256(str(root).encode()).hexdigest()[:16]
        return cls(folder, loaded_code() + folder_fingerprint(root))

    def key(self, kind: str, *parts: str | bytes) -> str:
        digest = hashlib.sha256(self.salt + kind.encode())
        for part in parts:
            data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
            digest.update(len(data).to_bytes(8, "big") + data)
        return digest.hexdigest()

    def truth_file_key(self, source: SourceFile, deck: DeckInfo | None) -> str:
        deck_parts = (deck.key, deck.title) if deck else ("\0", "no deck file")
        return self.key("truth-file", str(source.path), source.display, str(source.root), source.digest,
                        *deck_parts)

    def keep(self, key: str, result: object) -> None:
        """Keep `result` under `key` for later builds."""
        self.folder.mkdir(parents=True, exist_ok=True)
        replace_file(self.folder / f"{key}.pickle", pickle.dumps(result, pickle.HIGHEST_PROTOCOL))
        self.used.add(key)

    def load(self, key: str) -> object | None:
        """The cached result, or None if there is none (or it cannot be read: then it is made again)."""
        try:
            found: object = pickle.loads((self.folder / f"{key}.pickle").read_bytes())
        except Exception:  # a missing or damaged entry is a miss: the result is made again and rewritten
            return None
        self.used.add(key)
        return found

    def prune(self) -> None:
        """Remove the entries this build did not use, and temporary ones of killed builds; call it only
        after a successful build."""
        if not self.folder.is_dir():
            return
        for entry in self.folder.glob("*.pickle"):
            if entry.stem not in self.used:
                entry.unlink(missing_ok=True)
        for temporary in self.folder.glob(".*.tmp"):
            if (found := STAGED.fullmatch(temporary.name)) and not process_alive(int(found["pid"])):
                temporary.unlink(missing_ok=True)


def _installed(library: str) -> str:
    """Where a library is installed, and the versions of everything installed beside it (the names
    of the .dist-info folders there): any install or upgrade changes this."""
    spec = find_spec(library)
    origin = Path(spec.origin) if spec and spec.origin else None
    if origin is None:
        return f"{library}\0missing"
    site = origin.parent.parent if origin.name == "__init__.py" else origin.parent
    try:
        versions = sorted(name for name in os.listdir(site) if name.endswith(".dist-info"))
    except OSError:
        versions = []
    return "\0".join([library, str(origin), *versions])


def code_fingerprint(package: Path = PACKAGE) -> bytes:
    """A hash of the generator's files, of Python's version and of the installed libraries it uses."""
    digest = hashlib.sha256(CACHE_FORMAT + sys.version.encode())
    for library in LIBRARIES:
        digest.update(_installed(library).encode("utf-8", "surrogatepass"))
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return digest.digest()


@cache
def loaded_code() -> bytes:
    """The code this process runs, hashed once, at its first build: a long-running process (watch)
    whose files are edited meanwhile must not file its results under the new code's name."""
    return code_fingerprint()


def folder_fingerprint(root: Path) -> bytes:
    """A hash of the names, sizes and times of the content folder's files other than Markdown and lock."""
    digest = hashlib.sha256()
    for folder, subfolders, files in os.walk(root):
        subfolders.sort()
        for name in sorted(files):
            if name.endswith(".md") or name == LOCK_FILE:
                continue
            path = os.path.join(folder, name)
            try:
                info = os.stat(path)
                entry = f"{path}\0{info.st_size}\0{info.st_mtime_ns}\0{os.path.islink(path)}"
            except OSError:
                entry = f"{path}\0unreadable"
            digest.update(entry.encode("utf-8", "surrogatepass") + b"\0")
        digest.update(f"{folder}\0{subfolders}".encode("utf-8", "surrogatepass"))
    return digest.digest()
