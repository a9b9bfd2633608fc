"""How each chapter's cost grows with the data: wall time, peak memory and cache size at several sizes.

For each size (tracks per genre of the synthetic GTZAN, 30-s clips by default) it writes the data
set, then runs every chapter in order, as ``make book`` would, in a fresh data home (cold caches)
with ``GTZAN_DIR`` pointing at the set, and records per chapter:

- wall time of the whole notebook (kernel start included);
- peak memory: the largest sum of the resident set sizes (RSS) of the executing process and all
  its descendants (the kernel, joblib workers), sampled every 0.2 s. Shared pages count once per
  process, so this is an upper bound of what the machine needed; beside it (``peak_anon_mb``) the
  largest sum of their anonymous memory, RSS without the file pages mapped into them (shared
  libraries, files read through memory maps: pages the system can drop and read again);
- cache size: what the chapter added to the data home (features, embeddings, registry, models).

Then it fits, per chapter and per measure, the growth exponent ``b`` of ``measure ~ tracks**b``
(least squares on log-log; 1 means linear, 2 quadratic), and writes ``scale.csv``, ``scale.md``
(the table) and ``scale.png`` (the log-log figure) into ``--out``.

Run: ``python benchmarks/bench_scale.py [--sizes 10 30 100] [--profile full] [--chapters 01 08]
[--seconds 30] [--out benchmarks/results] [--append] [--readme]`` (``--readme`` writes the summary
of every size into the README). The defaults are the issue's: 100, 300 and 1000 tracks in the full profile, which takes hours on 2 cores; CI runs the smallest sizes in the quick
profile (``tests/test_bench_scale.py``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
MEASURES = {"seconds": "wall time (s)", "peak_mb": "peak memory (MB)", "cache_mb": "cache added (MB)"}
SAMPLE_SECONDS = 0.2
README = ROOT / "README.md"
BEGIN, END = "<!-- bench_scale: begin -->", "<!-- bench_scale: end -->"
TARGETS = {"book_minutes": 60.0, "chapter_minutes": 10.0, "peak_gb": 3.0}  # issue 23, at 1000 tracks


def chapter_paths(names: list[str] | None) -> list[Path]:
    """The chapters ``book/NN_*.ipynb`` in order; ``names`` keeps those whose number or stem is listed."""
    paths = sorted(BOOK.glob("[0-9][0-9]_*.ipynb"))
    if names:
        paths = [p for p in paths if p.stem[:2] in names or p.stem in names]
        if not paths:
            raise SystemExit(f"no chapter matches {names}; expected numbers such as 01 or stems such as 08_cnn")
    return paths


def tree_rss(pid: int) -> tuple[int, int, int]:
    """Resident bytes of process ``pid`` and all its descendants, how many processes that is, and the
    resident bytes that are not file pages (anonymous memory: what the processes allocated, as opposed
    to cache files mapped into them, which the system can drop and read again)."""
    import psutil

    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0, 0, 0
    total, alive, anonymous = 0, 0, 0
    for process in processes:
        try:
            memory = process.memory_info()
        except psutil.NoSuchProcess:
            continue
        total += memory.rss
        anonymous += memory.rss - memory.shared
        alive += 1
    return total, alive, anonymous


def folder_bytes(folder: Path) -> int:
    """Bytes of every file under ``folder``."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0


def run_chapter(path: Path, *, env: dict, timeout: float) -> dict:
    """Execute one notebook in a subprocess: its wall time, the peak RSS of its process tree (and how many
    processes held it: joblib's workers count), and whether it ran."""
    with tempfile.TemporaryDirectory() as scratch:
        command = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                   f"--ExecutePreprocessor.timeout={int(timeout)}", "--output-dir", scratch, str(path)]
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=path.parent, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
        peak, anonymous, output = (0, 0), 0, []
        reader = threading.Thread(target=lambda: output.extend(process.stdout), daemon=True)
        reader.start()
        while process.poll() is None:
            rss, alive, anon = tree_rss(process.pid)
            peak, anonymous = max(peak, (rss, alive)), max(anonymous, anon)
            time.sleep(SAMPLE_SECONDS)
        reader.join()
        seconds = time.perf_counter() - start
    if process.returncode != 0:
        print("".join(output)[-3000:], file=sys.stderr)
    return {"seconds": seconds, "peak_mb": peak[0] / 2**20, "peak_anon_mb": anonymous / 2**20,
            "processes_at_peak": peak[1], "ok": process.returncode == 0}


def make_data(folder: Path, *, per_genre: int, seconds: float) -> Path:
    """The synthetic GTZAN with ``per_genre`` clips of ``seconds`` each genre (as ``genre-classify synth``)."""
    from course_utils.synth import make_synthetic_gtzan

    return make_synthetic_gtzan(folder, n_per_genre=per_genre, duration=seconds, seed=0)


def measure(sizes: list[int], *, profile: str, chapters: list[Path], seconds: float, work: Path,
            timeout: float) -> pd.DataFrame:
    """One row per size and chapter: ``tracks, chapter, seconds, peak_mb, processes_at_peak, ok, cache_mb``."""
    rows = []
    for per_genre in sizes:
        data = make_data(work / f"synthetic-{per_genre}", per_genre=per_genre, seconds=seconds)
        home = work / f"home-{per_genre}"
        env = {**os.environ, "COURSE_PROFILE": profile, "GTZAN_DIR": str(data), "COURSE_DATA_HOME": str(home),
               "COURSE_OFFLINE": "1", "MPLBACKEND": "Agg",
               "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        for path in chapters:
            before = folder_bytes(home)
            result = run_chapter(path, env=env, timeout=timeout)
            row = {"tracks": 10 * per_genre, "chapter": path.stem, **result,
                   "cache_mb": (folder_bytes(home) - before) / 2**20}
            rows.append(row)
            print(f"{row['tracks']:>5} tracks  {path.stem:<28} {row['seconds']:7.1f} s  {row['peak_mb']:7.0f} MB"
                  f"  cache +{row['cache_mb']:7.1f} MB{'' if row['ok'] else '  FAILED'}", flush=True)
    return pd.DataFrame(rows)


def growth(table: pd.DataFrame) -> pd.DataFrame:
    """Per chapter and measure, the exponent ``b`` of ``measure ~ tracks**b`` (NaN with fewer than two
    positive points)."""
    out = {}
    for chapter, rows in table[table["ok"]].groupby("chapter"):
        exponents = {}
        for measure in MEASURES:
            usable = rows[rows[measure] > 0]
            exponents[measure] = (np.polyfit(np.log(usable["tracks"]), np.log(usable[measure]), 1)[0]
                                  if usable["tracks"].nunique() >= 2 else np.nan)
        out[chapter] = exponents
    return pd.DataFrame(out).T.rename_axis("chapter")


def markdown(table: pd.DataFrame, exponents: pd.DataFrame, *, profile: str, seconds: float, cold: bool) -> str:
    """The table as Markdown: one row per chapter, one column per size and measure, then the exponents."""
    wide = table.pivot(index="chapter", columns="tracks", values=list(MEASURES))
    ran = table.pivot(index="chapter", columns="tracks", values="ok").fillna(False).astype(bool)
    caches = "cold caches" if cold else "caches of an earlier run in --work"
    lines = [f"Profile {profile}, synthetic GTZAN of {seconds:g}-s clips, {caches}; "
             f"{os.cpu_count()} cores. Exponent b: measure ~ tracks^b.", ""]
    header = ["chapter"] + [f"{MEASURES[m]} @ {n}" for m in MEASURES for n in wide[m].columns] \
        + [f"b {m}" for m in MEASURES]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for chapter in wide.index:
        cells = [chapter] + [f"{wide.loc[chapter, (m, n)]:.1f}" if ran.loc[chapter, n] else "failed"
                             for m in MEASURES for n in wide[m].columns]
        cells += [f"{exponents.loc[chapter, m]:.2f}" if chapter in exponents.index
                  and np.isfinite(exponents.loc[chapter, m]) else "-" for m in MEASURES]
        lines.append("| " + " | ".join(cells) + " |")
    failed = table.loc[~table["ok"], ["tracks", "chapter"]]
    if len(failed):
        lines += ["", "Failed: " + ", ".join(f"{r.chapter} at {r.tracks} tracks" for r in failed.itertuples())]
    return "\n".join(lines) + "\n"


def summary(table: pd.DataFrame, *, profile: str, seconds: float) -> str:
    """Per size, in words: the whole book's time, its longest chapter, its peak memory and cache, and at
    1000 tracks or more whether the targets hold (book <= 60 min, chapter <= 10 min, peak < 3 GB)."""
    lines = [f"Measured by `benchmarks/bench_scale.py` (profile {profile}, synthetic clips of {seconds:g} s, "
             f"cold caches, {os.cpu_count()} cores; table `benchmarks/results/scale.md`):", ""]
    for tracks, rows in table.groupby("tracks"):
        failed = rows.loc[~rows["ok"], "chapter"].tolist()
        longest, highest = rows.loc[rows["seconds"].idxmax()], rows.loc[rows["peak_mb"].idxmax()]
        book = rows["seconds"].sum() / 60
        line = (f"- **{tracks} tracks**: the chapters took {book:.1f} min in all; the longest, "
                f"{longest['chapter']}, {longest['seconds'] / 60:.1f} min; the highest peak memory "
                f"{highest['peak_mb'] / 1024:.2f} GB ({highest['chapter']}{anonymous(highest)}); cache added "
                f"{rows['cache_mb'].sum():.0f} MB")
        if failed:
            line += f"; failed: {', '.join(failed)}"
        if tracks >= 1000:
            checks = [(book, TARGETS["book_minutes"], "the book", "min"),
                      (longest["seconds"] / 60, TARGETS["chapter_minutes"], "every chapter", "min"),
                      (highest["peak_mb"] / 1024, TARGETS["peak_gb"], "peak memory", "GB")]
            verdicts = [f"{what} {'within' if value <= target and not failed else 'over'} {target:g} {unit}"
                        for value, target, what, unit in checks]
            line += ". Targets: " + ", ".join(verdicts)
        lines.append(line + ".")
    return "\n".join(lines) + "\n"


def anonymous(row: pd.Series) -> str:
    """``", of which X GB anonymous"`` when the row measured it (rows of older runs did not)."""
    value = row.get("peak_anon_mb", np.nan)
    return f", of which {value / 1024:.2f} GB anonymous" if pd.notna(value) else ""


def write_readme(text: str, path: Path = README) -> None:
    """Replace what stands between the README's ``bench_scale`` markers with ``text``."""
    readme = path.read_text(encoding="utf-8")
    if BEGIN not in readme or END not in readme:
        raise SystemExit(f"{path} lacks the markers {BEGIN} and {END}")
    head, rest = readme.split(BEGIN, 1)
    path.write_text(head + BEGIN + "\n" + text + rest[rest.index(END):], encoding="utf-8")


def figure(table: pd.DataFrame, path: Path) -> None:
    """Log-log lines of wall time and peak memory against tracks, one line per chapter."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    colours = plt.get_cmap("tab20").colors
    for ax, measure in zip(axes, ("seconds", "peak_mb")):
        for k, (chapter, rows) in enumerate(table[table["ok"]].groupby("chapter")):
            ax.loglog(rows["tracks"], rows[measure], marker="os^D"[k % 4], color=colours[k % len(colours)],
                      label=chapter)
        ax.set_xlabel("tracks")
        ax.set_ylabel(MEASURES[measure])
        ax.grid(True, which="both", alpha=0.3)
    axes[1].legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10, 30, 100], metavar="PER_GENRE",
                        help="tracks per genre of each synthetic set (default 10 30 100: 100, 300, 1000 tracks); "
                        "none, with --append: measure nothing, only write the results of --out/scale.csv again")
    parser.add_argument("--profile", choices=("quick", "full"), default="full")
    parser.add_argument("--chapters", nargs="*", default=None, metavar="NN", help="chapter numbers (default: all)")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each synthetic clip")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--work", type=Path, default=None, help="folder for the data sets and data homes, kept "
                        "(default: a temporary folder, removed afterwards); its caches make a second run warm")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds a notebook cell may take")
    parser.add_argument("--append", action="store_true", help="keep the rows already in --out/scale.csv "
                        "(a chapter measured again at a size is replaced) and fit the exponents over all")
    parser.add_argument("--readme", action="store_true", help="write the summary of every size between the "
                        "README's bench_scale markers")
    args = parser.parse_args(argv)
    chapters = chapter_paths(args.chapters)
    earlier = args.out / "scale.csv"
    if not args.sizes and not (args.append and earlier.is_file()):
        raise SystemExit(f"no --sizes to measure: give some, or --append to write {earlier}'s results again")
    cold = args.work is None or not any(args.work.glob("home-*"))
    table = pd.DataFrame(columns=["tracks"])
    if args.sizes:
        with tempfile.TemporaryDirectory(prefix="bench-scale-") as scratch:
            work = args.work or Path(scratch)
            table = measure(sorted(args.sizes), profile=args.profile, chapters=chapters, seconds=args.seconds,
                            work=work, timeout=args.timeout)
    if args.append and earlier.is_file():
        kept = pd.read_csv(earlier)
        measured = set(zip(table["tracks"], table["chapter"])) if len(table) else set()
        kept = kept[[pair not in measured for pair in zip(kept["tracks"], kept["chapter"])]]
        table = pd.concat([kept, table], ignore_index=True) if len(table) else kept
        table = table.sort_values("tracks", kind="stable")
    exponents = growth(table)
    args.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out / "scale.csv", index=False, float_format="%.3f")
    text = markdown(table, exponents, profile=args.profile, seconds=args.seconds, cold=cold)
    (args.out / "scale.md").write_text(text, encoding="utf-8")
    figure(table, args.out / "scale.png")
    words = summary(table, profile=args.profile, seconds=args.seconds)
    if args.readme:
        write_readme(words)
    print(text + "\n" + words)
    return table


if __name__ == "__main__":
    sys.exit(0 if main()["ok"].all() else 1)
