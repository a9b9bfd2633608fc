"""``python -m course_utils.launch write | check | set-repository URL`` (see the package docstring)."""

from __future__ import annotations

import argparse
import sys

from course_utils.launch import install_cell, repository


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_utils.launch",
                                     description="The repository setting and the notebooks' install cell.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("write", help="write the install cell into every notebook")
    commands.add_parser("check", help="exit 1 if a notebook's install cell is out of date")
    setter = commands.add_parser("set-repository", help="set repository.url of _config.yml, then write")
    setter.add_argument("url", help="https://host/owner/name, or '' for none")
    args = parser.parse_args(argv)
    if args.command == "check":
        stale = install_cell.out_of_date()
        for name in stale:
            print(f"{name}: its install cell is out of date: run `python -m course_utils.launch write`",
                  file=sys.stderr)
        return 1 if stale else 0
    if args.command == "set-repository":
        setting = repository.set_repository_url(args.url)
        print(f"_config.yml: repository.url = {setting.url or '(none: no launch buttons)'}")
    for path in install_cell.write_install_cells():
        print(f"wrote the install cell of {path.relative_to(repository.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
