"""The shipped knowledge base kept pickled between processes (matching/knowledge/cache.py)."""
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from matching.knowledge import cache
from matching.knowledge.loader import DEFAULT_DIRECTORY, _load

ROOT = Path(__file__).resolve().parents[2]


def test_a_second_process_reads_the_same_knowledge_base_from_the_pickle(tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "cache_file", lambda directory: tmp_path / "__pycache__" / "knowledge-x.pickle")
    fresh = _load(DEFAULT_DIRECTORY)
    assert cache.cached(DEFAULT_DIRECTORY, _load).routes == fresh.routes
    assert (tmp_path / "__pycache__" / "knowledge-x.pickle").is_file()

    def no_reading(directory):
        raise AssertionError("the files were read again")

    kept = cache.cached(DEFAULT_DIRECTORY, no_reading)
    assert dict(kept.materials) == dict(fresh.materials) and kept.routes == fresh.routes
    assert kept.references == fresh.references and kept.ambiguous == fresh.ambiguous
    assert kept.directory == fresh.directory and type(kept.materials) is type(fresh.materials)  # read-only view
    assert kept.material("fgd-gypsum").category == "S06" and kept.ancestors("fgd-gypsum") == fresh.ancestors(
        "fgd-gypsum")
    assert vars(kept._index.finder) == vars(fresh._index.finder)


def test_the_pickle_is_used_by_the_next_process():
    load = "from matching.knowledge import loader; print(len(loader.load_knowledge().routes))"
    first = subprocess.run([sys.executable, "-c", load], cwd=ROOT, capture_output=True, text=True, check=True)
    assert cache.cache_file(DEFAULT_DIRECTORY).is_file()
    # The next process cannot read the files at all: it has the pickle.
    unread = "from matching.knowledge import loader; loader._load = None; " + load.split("; ", 1)[1]
    second = subprocess.run([sys.executable, "-c", unread], cwd=ROOT, capture_output=True, text=True, check=True)
    assert first.stdout == second.stdout == f"{len(_load(DEFAULT_DIRECTORY).routes)}\n"


def test_any_change_to_the_package_makes_a_new_name(tmp_path, monkeypatch):
    package = tmp_path / "matching"
    (package / "knowledge").mkdir(parents=True)
    data = package / "knowledge" / "materials.yaml"
    data.write_text("materials: []\n")
    (package / "engine.py").write_text("x = 1\n")
    monkeypatch.setattr(cache, "PACKAGE", package)
    first = cache.cache_file(package / "knowledge")
    assert cache.cache_file(package / "knowledge") == first
    os.utime(data, ns=(data.stat().st_atime_ns, data.stat().st_mtime_ns + 1_000_000))
    touched = cache.cache_file(package / "knowledge")
    (package / "engine.py").write_text("x = 22\n")
    edited = cache.cache_file(package / "knowledge")
    (package / "knowledge" / "__pycache__").mkdir()
    (package / "knowledge" / "__pycache__" / "knowledge-old.pickle").write_bytes(b"")  # its own files do not count
    assert len({first, touched, edited, cache.cache_file(package / "knowledge")}) == 3
    assert cache.cache_file(tmp_path / "elsewhere") != edited  # another folder of data files


def test_a_new_pickle_replaces_the_old_ones(tmp_path):
    old = tmp_path / "knowledge-old.pickle"
    cache._write(old, {"a": 1})
    new = tmp_path / "knowledge-new.pickle"
    cache._write(new, {"a": 2})
    assert not old.exists() and pickle.loads(new.read_bytes()) == {"a": 2}
    assert [p.name for p in tmp_path.iterdir()] == ["knowledge-new.pickle"]  # no temporary file left


@pytest.mark.parametrize("content", [b"", b"not a pickle"])
def test_a_broken_or_unwritable_pickle_falls_back_to_the_files(tmp_path, monkeypatch, content):
    blocked = tmp_path / "file"
    blocked.write_bytes(content)
    monkeypatch.setattr(cache, "cache_file", lambda directory: blocked / "knowledge-x.pickle")  # under a file
    assert cache.cached(DEFAULT_DIRECTORY, lambda directory: "loaded") == "loaded"
    broken = tmp_path / "knowledge-y.pickle"
    broken.write_bytes(content)
    monkeypatch.setattr(cache, "cache_file", lambda directory: broken)
    assert cache.cached(DEFAULT_DIRECTORY, lambda directory: "loaded") == "loaded"
    assert pickle.loads(broken.read_bytes()) == "loaded"  # written anew
