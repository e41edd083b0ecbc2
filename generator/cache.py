"""Results of earlier builds (build/.cache): each truth file compiled, keyed by what it depends on.

An entry's key covers the file's bytes, path and shown name, the deck's key and title, and the
names, sizes and times of the content folder's other files (images are checked and loaded from
there). Every key also covers the generator's own code and its libraries' installed files, so a change
there misses every entry. Entries are pickles, private to this build folder and written only by
this program; a damaged one is a miss. An entry is written as soon as its file is compiled, even
if the build then fails (it is right for its key, and the build after the fix needs it); the
outputs themselves are never touched by a failed build. After a successful build, the entries it
did not use are removed.

Two more entries, replaced by each build, hold what the last build knew beyond its files: the lock
it wrote (under the digest of that lock's text) and the values of the front matter it parsed
(under its text). Both are marshal data, as private as the pickles.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import pickle
import sys
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from generator.lock import LOCK_FILE, Lock, lock_from_record, lock_record
from generator.model import DeckInfo
from generator.sources import SourceFile

CACHE_FORMAT = b"build-cache 4"
# One entry beside the others, replaced by every build: the lock it wrote, with its text's key. The next
# build usually finds the lock the last one wrote, and reads it back in a fraction of the time of
# parsing it (measured at 10,000 notes: 8 ms, not 33 ms).
LOCK_ENTRY = "lock.entry"
FRONT_MATTER_ENTRY = "front-matter.entry"  # the front matter texts of the last build, with their values
MARSHAL_VERSION = 2  # without references: a fifth faster to write and read than version 4 for a lock
LIBRARIES = ("markdown_it", "mdit_py_plugins", "nh3", "yaml")  # what compiled files depend on
PACKAGE = Path(__file__).resolve().parent


class BuildCache:
    """Earlier results for one content folder, looked up and written by key."""

    def __init__(self, folder: Path, salt: bytes) -> None:
        self.folder = folder
        self.salt = salt
        self.used: set[str] = set()
        self.written: set[str] = set()

    @classmethod
    def open(cls, cache_dir: Path, content_dir: Path) -> BuildCache:
        root = content_dir.resolve()
        folder = cache_dir / hashlib.sha256(str(root).encode()).hexdigest()[:16]
        return cls(folder, LOADED_CODE + folder_fingerprint(root))

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

    def entry(self, key: str) -> Path:
        """Where the entry for `key` is kept (the folder is made here, so that workers can write to it)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        return self.folder / f"{key}.pickle"

    def load(self, key: str) -> object | None:
        """The cached result, or None if there is none (or it cannot be read: then it is made again)."""
        try:
            found: object = pickle.loads((self.folder / f"{key}.pickle").read_bytes())
        except Exception:  # a missing or damaged entry is a miss: the result is made again and rewritten
            return None
        self.used.add(key)
        return found

    def known_lock(self, data: bytes) -> Lock | None:
        """The lock whose file holds `data`, if the last build wrote it (see `keep_lock`)."""
        key = self.key("lock", hashlib.sha256(data).digest()).encode()
        try:
            with (self.folder / LOCK_ENTRY).open("rb") as entry:
                if entry.read(len(key)) != key:
                    return None
                return lock_from_record(marshal.loads(entry.read()))
        except Exception:  # missing or damaged: the lock file is parsed
            return None

    @staticmethod
    def lock_entry(lock: Lock) -> bytes:
        """What `keep_lock` keeps of `lock` (made apart, while another process writes the lock file)."""
        return marshal.dumps(lock_record(lock), MARSHAL_VERSION)

    def keep_lock(self, digest: bytes, entry: bytes) -> None:
        """Keep a lock's `entry` for the next build; `digest` is the SHA-256 of its file's bytes."""
        self.folder.mkdir(parents=True, exist_ok=True)
        write_entry(self.folder / LOCK_ENTRY, self.key("lock", digest).encode(), entry)

    def front_matter(self) -> dict[str, dict[str, Any]]:
        """The front matter texts the last build parsed, with their values (see `keep_front_matter`)."""
        key = self.key("front-matter").encode()
        try:
            with (self.folder / FRONT_MATTER_ENTRY).open("rb") as entry:
                if entry.read(len(key)) == key:
                    found = marshal.loads(entry.read())
                    return found if isinstance(found, dict) else {}
        except Exception:  # missing or damaged: the front matter is parsed
            pass
        return {}

    def keep_front_matter(self, parsed: dict[str, dict[str, Any]]) -> None:
        """Keep front matter texts with their values (plain scalars only) for the next build."""
        self.folder.mkdir(parents=True, exist_ok=True)
        write_entry(self.folder / FRONT_MATTER_ENTRY, self.key("front-matter").encode(),
                    marshal.dumps(parsed, MARSHAL_VERSION))

    def mark_written(self, key: str) -> None:
        """The entry for `key` was written by this build (see `entry`)."""
        self.used.add(key)
        self.written.add(key)

    def prune(self) -> None:
        """Remove the entries this build did not use; call it only after a successful build."""
        if not self.folder.is_dir():
            return
        for entry in self.folder.glob("*.pickle"):
            if entry.stem not in self.used:
                entry.unlink(missing_ok=True)


def _installed(library: str) -> str:
    """Where a library is installed, and the versions of everything installed beside it (the names
    of the .dist-info folders there): any install or upgrade changes this. Found without importing
    the library (a build of plain content never imports markdown-it)."""
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


# The code this process runs, hashed when it is loaded: a long-running process (watch) whose
# files are edited meanwhile must not file its results under the new code's name.
LOADED_CODE = code_fingerprint()


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


def write_entry(path: Path, *parts: bytes) -> None:
    """Write beside, then rename: a reader sees the old entry or the new one. No fsync: it is a cache."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("wb") as stream:
            stream.writelines(parts)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
