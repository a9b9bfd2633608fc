"""Sphinx extension: launch buttons only when ``_config.yml`` names the course's repository.

Jupyter Book passes ``repository.url`` and ``launch_buttons`` to the theme; with the URL empty the
theme would fail on every notebook page, so this extension drops the launch buttons instead (and
the empty URL with them). Listed in ``_config.yml`` under ``sphinx.config.extensions``.
"""

from __future__ import annotations

from typing import Any

from course_utils.launch.repository import check_url


def drop_launch_buttons_without_repository(app: Any, config: Any) -> None:
    """``config-inited`` handler: no repository URL, no launch buttons.

    Used in: the book build (``make book``).
    """
    options = config.html_theme_options
    if not check_url(str(options.get("repository_url") or "")):
        options.pop("repository_url", None)
        options["launch_buttons"] = {}


def setup(app: Any) -> dict:
    app.connect("config-inited", drop_launch_buttons_without_repository, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
