"""What every chapter of the book carries: its number, the run's summary and execution line, and
links to the glossary where it first uses a term. Covers whatever chapters _toc.yml lists."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from conftest import ROOT
from course_utils import config
from course_utils.errors import ConfigError
from course_utils.launch import INSTALL_CELL_ID
from test_notebooks import toc_chapters

CHAPTERS = toc_chapters()
GLOSSARY = ROOT / "book" / "glossary.md"
TERM_ROLE = re.compile(r"\{term\}`([^`]*)`")


def cells(path: Path, kind: str) -> list[str]:
    return ["".join(c["source"]) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == kind]


def chapter_number(path: Path) -> int:
    match = re.match(r"#\s+(\d+)\.\s", cells(path, "markdown")[0])
    assert match, f"{path.name}: the first cell's title reads '# N. Title'"
    return int(match.group(1))


def glossary() -> dict[str, int]:
    """Each glossary term and the chapter that explains it (its definition ends '(chapter N)')."""
    block = re.search(r"```\{glossary\}\n(.*?)```", GLOSSARY.read_text(), re.S).group(1)
    entries = re.split(r"\n(?=\S)", block.strip())
    terms = {}
    for entry in entries:
        term, definition = entry.split("\n", 1)
        chapter = re.search(r"\(chapter (\d+)\)\s*$", definition)
        assert chapter, f"glossary: the definition of {term!r} does not end with '(chapter N)'"
        terms[term.strip()] = int(chapter.group(1))
    return terms


def target(role_text: str) -> str:
    """The term a {term} role points at: `term` or `shown text <term>`."""
    match = re.search(r"<([^>]*)>\s*$", role_text)
    return (match.group(1) if match else role_text).strip().lower()


def prose(path: Path) -> str:
    """A chapter's markdown without headings, code, math and link addresses; each {term} role is
    replaced by a marker naming its term, so that plain mentions can be told from links."""
    text = re.sub(r"(?m)^#.*$", "", "\n".join(cells(path, "markdown")))
    text = TERM_ROLE.sub(lambda m: f" \x00{target(m.group(1))}\x00 ", text)
    text = re.sub(r"```.*?```|`[^`]*`|\$[^$]*\$|\]\([^)]*\)", " ", text, flags=re.S)
    return text.replace("*", "")


def mention(term: str) -> re.Pattern:
    return re.compile(rf"(?<![\w-]){re.escape(term)}(s|es)?(?![\w-])", re.I)


def test_chapters_are_numbered_in_reading_order():
    assert [chapter_number(p) for p in CHAPTERS] == list(range(1, len(CHAPTERS) + 1))


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_prints_its_summary_first_and_its_execution_line_last(path):
    code = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
    code = code[1:] if code[0].get("id") == INSTALL_CELL_ID else code  # tests/test_install_cell.py
    assert "print(summary(" in "".join(code[0]["source"]), (
        f"{path.name}: the first code cell after the install cell prints summary(...)")
    last = code[-1]
    assert "print(execution_line())" in "".join(last["source"]), (
        f"{path.name}: the last code cell prints execution_line()")
    assert "remove-input" in last["metadata"].get("tags", []), (
        f"{path.name}: tag the last cell remove-input, so that the page shows the line alone")


def test_execution_line_says_data_set_profile_and_time(monkeypatch):
    monkeypatch.setattr(config, "_RUN", {})
    with pytest.raises(ConfigError, match="summary"):
        config.execution_line()

    class Dataset:
        name = "synthetic GTZAN"

        def __len__(self):
            return 60

        def describe(self):
            return "synthetic GTZAN: 60 tracks"

    config.summary(Dataset(), profile=config.PROFILES["quick"])
    monkeypatch.setitem(config._RUN, "started", time.monotonic() - 95)
    line = config.execution_line()
    assert line.startswith("Executed on synthetic GTZAN (60 tracks) in the quick profile in 1 min 35 s (")


def test_glossary_terms_are_unique_and_sorted():
    terms = list(glossary())
    assert terms == sorted(terms, key=str.lower) and len({t.lower() for t in terms}) == len(terms)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_links_glossary_terms_once_where_it_first_uses_them(path):
    terms = {t.lower(): chapter for t, chapter in glossary().items()}
    text = prose(path)
    linked = [target(m.group(1)) for m in TERM_ROLE.finditer("\n".join(cells(path, "markdown")))]
    assert set(linked) <= set(terms), f"{path.name} links terms the glossary lacks: {set(linked) - set(terms)}"
    twice = {t for t in linked if linked.count(t) > 1}
    assert not twice, f"{path.name} links {sorted(twice)} more than once: link a term where it first appears"
    for term in set(linked):
        first_plain = mention(term).search(text)
        link = text.index(f"\x00{term}\x00")
        assert first_plain is None or first_plain.start() > link, (
            f"{path.name} uses {term!r} before it links it: move the link to "
            f"...{text[max(0, first_plain.start() - 60):first_plain.end() + 20]!r}...")
    explained_here = {t for t, chapter in terms.items() if chapter == chapter_number(path)}
    assert explained_here <= set(linked), (
        f"{path.name} explains {sorted(explained_here - set(linked))} (says the glossary) but does "
        "not link them: write {term}`...` where the chapter first uses each")


def test_every_glossary_term_is_linked_from_its_chapter_once_that_chapter_exists():
    numbers = {chapter_number(p) for p in CHAPTERS}
    linked = {target(m.group(1)) for p in CHAPTERS for m in TERM_ROLE.finditer("\n".join(cells(p, "markdown")))}
    unlinked = {t for t, c in glossary().items() if c in numbers and t.lower() not in linked}
    assert not unlinked, f"glossary terms that no chapter links: {sorted(unlinked)}"
