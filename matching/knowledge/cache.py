"""The shipped knowledge base kept between processes, as Python keeps bytecode: pickled in ``__pycache__``.

Reading and checking the data files takes a few tenths of a second, which every command line run and every
worker would otherwise pay at start; the pickle takes a hundredth. It is written beside the loader in
``__pycache__`` (ignored by git, trusted as the code next to it is) and used only while nothing it was built
from has changed: its name carries a digest of the path, size and modification time of every file of the
``matching`` package (the data files and the code that reads them) and of the Python version. Any change
makes a new name, and the files of old names are removed when a new one is written. When the folder cannot
be written (a read-only install), the files are read as before.

Examples
--------
>>> from matching.knowledge.loader import DEFAULT_DIRECTORY, _load
>>> kb = cached(DEFAULT_DIRECTORY, _load)
>>> kb.material("fgd-gypsum").category
'S06'
>>> cached(DEFAULT_DIRECTORY, _load).routes == kb.routes  # read back from the pickle
True
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar

__all__ = ["cache_file", "cached"]

T = TypeVar("T")
PACKAGE = Path(__file__).resolve().parent.parent  # matching/
PREFIX = "knowledge-"


def cache_file(directory: Path) -> Path:
    """Where the pickle of the knowledge base in ``directory`` goes: its name says what it was built from."""
    digest = hashlib.sha256(f"{sys.version}\0{directory.resolve()}\0".encode())
    for path in sorted(PACKAGE.rglob("*")):
        if "__pycache__" in path.parts or not path.is_file():
            continue
        stat = path.stat()
        digest.update(f"{path.relative_to(PACKAGE)}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return Path(__file__).resolve().parent / "__pycache__" / f"{PREFIX}{digest.hexdigest()[:32]}.pickle"


def cached(directory: Path, load: Callable[[Path], T]) -> T:
    """``load(directory)``, from the pickle when one was made from the same files, else loaded and pickled."""
    path = cache_file(directory)
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        pass  # none yet, or unreadable: load the files
    value = load(directory)
    try:
        _write(path, value)
    except (OSError, pickle.PicklingError):
        pass  # a folder that cannot be written: the next process reads the files again
    return value


def _write(path: Path, value) -> None:
    path.parent.mkdir(exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".knowledge-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            _Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
        os.replace(temporary, path)  # whole or not at all, even with processes starting side by side
    except BaseException:
        os.unlink(temporary)
        raise
    for old in path.parent.glob(f"{PREFIX}*.pickle"):
        if old != path:
            old.unlink(missing_ok=True)


def _read_only(mapping: dict) -> MappingProxyType:
    return MappingProxyType(mapping)


class _Pickler(pickle.Pickler):
    """Pickles the knowledge base's read-only views (``MappingProxyType``) as the dicts they show."""

    def reducer_override(self, obj):
        if type(obj) is MappingProxyType:
            return _read_only, (dict(obj),)
        return NotImplemented
