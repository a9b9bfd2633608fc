"""Running a chapter outside the repository: Colab, a bare Jupyter, Binder, the launch buttons.

One setting, ``repository.url`` in ``_config.yml`` (empty until the course has a public home),
says where the course lives. From it come the book's launch buttons (:mod:`.buttons`, none
without it) and the install cell at the top of every notebook (:mod:`.install_cell`).

Command line::

    python -m course_utils.launch write                 # rewrite every notebook's install cell
    python -m course_utils.launch check                 # exit 1 if one is out of date
    python -m course_utils.launch set-repository URL    # set the setting, then write
"""

from course_utils.launch.install_cell import (
    INSTALL_CELL_ID,
    install_cell_source,
    out_of_date,
    write_install_cells,
)
from course_utils.launch.repository import LaunchError, repository_setting, set_repository_url

__all__ = ["INSTALL_CELL_ID", "LaunchError", "install_cell_source", "out_of_date", "repository_setting",
           "set_repository_url", "write_install_cells"]
