"""Files the generator writes: staged beside their target, put in place in one rename; paths in messages."""

from __future__ import annotations

import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

from generator.errors import UsageError

# A staged file is named `.<target>.<pid>.<random>.tmp`: the process that owns it is in its name.
STAGED = re.compile(r"\.(?P<target>.+)\.(?P<pid>\d+)\.[^.]+\.tmp")


def display_name(path: Path) -> str:
    """Paths in messages are relative to the working directory where possible."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


class StagedFile:
    """A file written beside `path` under a temporary name; `commit` puts it in place in one rename.

    Readers never see half a file, and several files can be written before any of them replaces
    the one it stands for.
    """

    def __init__(self, path: Path) -> None:
        ensure_replaceable(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale(path)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp",
                                             dir=path.parent)
        os.close(handle)
        self.path, self.temporary = path, Path(temporary)

    def write(self, data: bytes | Iterable[bytes]) -> None:
        """The file's content: bytes, or an iterable of chunks."""
        chunks = [data] if isinstance(data, bytes) else data
        self.write_with(lambda stream: stream.writelines(chunks))

    def write_with(self, writer: Callable[[BinaryIO], object]) -> None:
        """The file's content, from `writer` writing to the open file; on the disk when this returns."""
        with self.temporary.open("wb") as stream:
            writer(stream)
            stream.flush()
            os.fsync(stream.fileno())

    def commit(self) -> None:
        mode = self.path.stat().st_mode & 0o777 if self.path.exists() else 0o666 & ~_umask()
        os.chmod(self.temporary, mode)
        os.replace(self.temporary, self.path)

    def discard(self) -> None:
        self.temporary.unlink(missing_ok=True)


def ensure_replaceable(path: Path) -> None:
    """Outputs are files we own: a symbolic link, a device, a pipe or a folder is never replaced."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return
    if stat.S_ISREG(mode):
        return
    what = ("a symbolic link" if stat.S_ISLNK(mode) else "a folder" if stat.S_ISDIR(mode)
            else "not a regular file (a device, pipe or socket)")
    raise UsageError(f"will not write {display_name(path)}: it is {what}; give the name of a regular file "
                     "or of one that does not exist yet")


def remove_stale(path: Path) -> None:
    """Staged files for `path` that a process left when it was killed (its process is gone); those of a
    running process, e.g. a `watch`, are left alone."""
    try:
        siblings = list(path.parent.iterdir())
    except OSError:
        return
    for sibling in siblings:
        found = STAGED.fullmatch(sibling.name)
        if found and found["target"] == path.name and not process_alive(int(found["pid"])):
            sibling.unlink(missing_ok=True)


def process_alive(pid: int) -> bool:
    """Whether a process with this ID runs; where that cannot be asked cheaply (Windows), assume it does."""
    if pid == os.getpid():
        return True
    if os.name != "posix":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def atomic_write(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see half a file."""
    staged = StagedFile(path)
    try:
        staged.write(data)
        staged.commit()
    except BaseException:
        staged.discard()
        raise


def replace_file(path: Path, data: bytes) -> None:
    """Write beside, then rename: a reader sees the old file or the new one. No fsync: for caches, whose
    loss costs only time."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.cache.tmp")  # named as STAGED: see remove_stale
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
