"""The course's one repository setting: ``repository.url`` (and ``branch``) in ``_config.yml``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from course_utils.errors import ConfigError
from course_utils.io import atomic_write_text

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "_config.yml"
URL_FORM = re.compile(r"https://[\w.-]+/[\w.-]+/[\w.-]+")
URL_LINE = re.compile(r"^(?P<indent>[ \t]+)url:[^\n#]*?(?P<comment>[ \t]+#[^\n]*)?$", re.M)


class LaunchError(ConfigError):
    """The repository setting is malformed, or a notebook lacks its install cell."""


@dataclass(frozen=True)
class Repository:
    """Where the course lives: ``url`` (empty when unset) and the ``branch`` the buttons open."""

    url: str
    branch: str

    @property
    def pip_source(self) -> str:
        """What ``pip install`` takes to install the course from here (empty when unset)."""
        return f"git+{self.url}@{self.branch}" if self.url else ""


def check_url(url: str) -> str:
    """``url`` if it reads ``https://host/owner/name`` (no ``.git``, no trailing slash) or is empty."""
    if url and (not URL_FORM.fullmatch(url) or url.endswith(".git")):
        raise LaunchError(f"repository URL {url!r}: expected https://host/owner/name, "
                          "e.g. https://github.com/owner/genre-course, or nothing")
    return url


def repository_setting(config: Path = CONFIG) -> Repository:
    """The ``repository`` block of ``config`` (``_config.yml``); its URL is checked.

    Used in: book launch buttons, every notebook's install cell (``python -m course_utils.launch``).
    """
    block = (yaml.safe_load(Path(config).read_text(encoding="utf-8")) or {}).get("repository") or {}
    return Repository(url=check_url(str(block.get("url") or "")), branch=str(block.get("branch") or "main"))


def set_repository_url(url: str, *, config: Path = CONFIG) -> Repository:
    """Write ``url`` as ``repository.url`` of ``config``, keeping every other line and comment.

    Used in: the publishing workflow (``python -m course_utils.launch set-repository URL``).
    """
    url = check_url(url.strip().rstrip("/"))
    text = Path(config).read_text(encoding="utf-8")
    block = re.search(r"^repository:[ \t]*\n((?:[ \t]+.*\n?|[ \t]*\n)*)", text, re.M)
    line = URL_LINE.search(text, block.start(1), block.end(1)) if block else None
    if line is None:
        raise LaunchError(f"{config}: no 'url:' line under 'repository:' to set")
    new = f"{line['indent']}url: \"{url}\"{line['comment'] or ''}"
    atomic_write_text(config, text[: line.start()] + new + text[line.end():])
    return repository_setting(config)
