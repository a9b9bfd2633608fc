#!/usr/bin/env bash
# Resolve the course's pinned environment for another Python version without installing anything:
# pip's dry run of `make install` (the package with its book and dev extras, under the lock's
# constraints, and musicnn without dependencies) for that version, binary wheels only, so that
# every package must have a wheel for it. pip checks each package's requires-python and wheel tags
# against the version asked for (it evaluates environment markers for the running interpreter).
# Usage: scripts/resolve_for.sh 3.12     (.ci/run does this for Colab's Python)
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:?usage: scripts/resolve_for.sh PYTHON_VERSION, e.g. 3.12}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r pyproject.toml README.md course_utils "$work/"   # pip prepares the package in its own copy
dry_run=(.venv/bin/python -m pip install --quiet --disable-pip-version-check --dry-run --ignore-installed
         --python-version "$version" --only-binary=:all: --target "$work/target")
"${dry_run[@]}" -c requirements/lock.txt "$work[book,dev]" --report "$work/course.json"
wheel=$(.venv/bin/python -c 'from course_utils.embeddings.musicnn import WHEEL; print(WHEEL)')
"${dry_run[@]}" --no-deps "$wheel" --report "$work/musicnn.json"
.venv/bin/python - "$version" "$work/course.json" "$work/musicnn.json" <<'PY'
import json, sys
version, *reports = sys.argv[1:]
installs = [item["metadata"] for report in reports for item in json.load(open(report))["install"]]
names = {meta["name"].lower(): meta["version"] for meta in installs}
assert "course-utils" in names and "musicnn" in names, sorted(names)
print(f"Python {version}: the course's environment resolves to {len(names)} packages, all as wheels "
      f"(tensorflow {names['tensorflow']}, numba {names['numba']}, musicnn {names['musicnn']})")
PY
