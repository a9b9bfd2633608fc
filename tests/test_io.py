"""Atomic writes: all or nothing, and files as readable as any other new file."""

from __future__ import annotations

import os

import pytest

from course_utils.io import atomic_path, atomic_write_text


def test_an_atomic_write_replaces_the_file_and_leaves_no_temporary(tmp_path):
    target = atomic_write_text(tmp_path / "sub" / "a.txt", "one")
    atomic_write_text(target, "two")
    assert target.read_text() == "two" and sorted(p.name for p in target.parent.iterdir()) == ["a.txt"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = atomic_write_text(tmp_path / "a.txt", "old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("interrupted")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["a.txt"]


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_written_files_follow_the_umask_like_any_new_file(tmp_path, umask):
    previous = os.umask(umask)
    try:
        target = atomic_write_text(tmp_path / "a.txt", "x")
    finally:
        os.umask(previous)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
