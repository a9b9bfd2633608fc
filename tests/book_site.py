"""The built book (_build/html) for the tests that read it: where it is, which page is which chapter,
and what to do when it or the browser is missing (skip; fail when COURSE_REQUIRE_BROWSER=1, as in CI).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import ROOT
from test_notebooks import toc_chapters, toc_files

BUILD = ROOT / "_build" / "html"
REQUIRE_ENV = "COURSE_REQUIRE_BROWSER"


def unavailable(reason: str):
    """Skip with ``reason``; fail instead when $COURSE_REQUIRE_BROWSER is 1 (CI must run the test)."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} (and ${REQUIRE_ENV}=1 makes that a failure)")
    pytest.skip(reason)


def page_of(name: str) -> Path:
    """The built page of a _toc.yml entry (``book/01_audio_basics`` -> ``_build/html/book/01_audio_basics.html``)."""
    return BUILD / f"{name}.html"


def built_page(name: str) -> Path:
    """:func:`page_of`, after checking that the book, and this page of it, is built."""
    if not (BUILD / "index.html").is_file():
        unavailable("no built book in _build/html: run `make book` first")
    page = page_of(name)
    if not page.is_file():
        unavailable(f"{page.relative_to(ROOT)} is not built: _toc.yml lists it, run `make book` again")
    return page


CHAPTERS = [str(p.relative_to(ROOT).with_suffix("")) for p in toc_chapters()]
PAGES = toc_files()
