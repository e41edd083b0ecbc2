"""Files the generator writes: staged beside their target, put in place in one rename; paths in messages."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO


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
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
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
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
