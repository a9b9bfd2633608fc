"""Print this machine's set-up figures: install cold and warm, and the quick-profile test run.

Usage: ``.venv/bin/python benchmarks/bench_setup.py [--skip-cold] [--skip-tests]``.
The cold install runs in a fresh clone of the current commit (pip's own download cache may make
it faster than on a brand-new machine); the warm install repeats it with nothing changed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(cmd: list[str], *, cwd: Path, env: dict | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-cold", action="store_true", help="skip the fresh-clone install (about 4 min)")
    parser.add_argument("--skip-tests", action="store_true", help="skip the quick-profile test run")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    if not args.skip_cold:
        with tempfile.TemporaryDirectory() as tmp:
            clone = Path(tmp) / "course"
            subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
            cold = timed(["bash", "scripts/install.sh"], cwd=clone)
            warm = timed(["bash", "scripts/install.sh"], cwd=clone)
        print(f"install, cold (fresh clone): {cold:7.1f} s")
        print(f"install, warm (nothing changed): {warm:7.1f} s")
    if not args.skip_tests:
        env = {**os.environ, "COURSE_PROFILE": "quick"}
        wall = timed(["make", "test"], cwd=ROOT, env=env)
        print(f"make test, quick profile: {wall:7.1f} s")


if __name__ == "__main__":
    main()
