"""Write a synthetic GTZAN-like data set to disk, file by file and atomically."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import soundfile as sf
from tqdm.auto import tqdm

from course_utils.errors import ConfigError
from course_utils.io import atomic_path, atomic_write_text
from course_utils.synth.artists import artist_name, artist_of
from course_utils.synth.genres import GENRES
from course_utils.synth.render import check_options, render_track

MARKER = ".complete.json"
FORMAT_VERSION = 3  # bump whenever a change to the generator changes its output (3: artists)
ARTISTS_CSV = "artists.csv"


def _parameters(n_per_genre, duration, sr, seed) -> dict:
    if isinstance(n_per_genre, bool) or not isinstance(n_per_genre, (int, np.integer)) or n_per_genre < 1:
        raise ConfigError(f"n_per_genre must be a positive integer, got {n_per_genre!r}")
    check_options(duration=duration, sr=sr, seed=seed)
    return {"generator": "course_utils.synth", "version": FORMAT_VERSION, "genres": list(GENRES),
            "n_per_genre": int(n_per_genre), "duration": float(duration), "sr": int(sr), "seed": int(seed)}


def _track_path(folder: Path, genre: str, index: int) -> Path:
    return folder / genre / f"{genre}.{index:05d}.wav"


def synthetic_set_is_complete(root: str | os.PathLike, *, n_per_genre: int, duration: float = 30.0,
                              sr: int = 22050, seed: int = 0) -> bool:
    """Whether ``root/genres`` holds a finished set made with exactly these arguments.

    True only if the marker written at the end of ``make_synthetic_gtzan`` names the same
    arguments and generator version, and every expected file is present.
    """
    params = _parameters(n_per_genre, duration, sr, seed)
    folder = Path(root) / "genres"
    try:
        written = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return written == params and (folder / ARTISTS_CSV).is_file() and all(
        _track_path(folder, g, i).is_file() for g in GENRES for i in range(params["n_per_genre"]))


def make_synthetic_gtzan(root: str | os.PathLike, *, n_per_genre: int, duration: float = 30.0,
                         sr: int = 22050, seed: int = 0, progress: bool = False) -> Path:
    """Generate a synthetic GTZAN: ``root/genres/<genre>/<genre>.000NN.wav`` for the 10 genres.

    Every clip is music synthesised from its genre's recipe (tempo, drum pattern, bass line,
    chords, instruments), with random overlap between genres, by one of a few artists of the genre
    (:mod:`course_utils.synth.artists`), each with its own production; ``root/genres/artists.csv``
    (``track_id, artist``) names them. Files are 16-bit PCM mono WAV, each written atomically; the
    marker ``root/genres/.complete.json`` is written last.
    A set already complete for the same arguments is left as it is. Clips numbered
    ``n_per_genre`` or above from an earlier, larger run are removed.

    Parameters
    ----------
    root : path-like
        Folder to create the ``genres`` folder in.
    n_per_genre : int
        Clips per genre (positive).
    duration : float
        Seconds per clip (positive).
    sr : int
        Sample rate in Hz (at least 8000).
    seed : int
        Seed of the set; clip ``k`` of a genre depends only on ``seed``, the genre and ``k``.
    progress : bool
        Show a progress bar (on standard error), one step per clip.

    Returns
    -------
    pathlib.Path
        ``root/genres``, the folder holding one folder per genre.

    Raises
    ------
    ConfigError
        (a ``ValueError``) naming the argument that is unusable.
    """
    params = _parameters(n_per_genre, duration, sr, seed)
    folder = Path(root) / "genres"
    if synthetic_set_is_complete(root, n_per_genre=n_per_genre, duration=duration, sr=sr, seed=seed):
        return folder
    (folder / MARKER).unlink(missing_ok=True)
    bar = tqdm(total=len(GENRES) * params["n_per_genre"], desc="synthetic GTZAN", unit="clip", disable=not progress)
    for genre in GENRES:
        (folder / genre).mkdir(parents=True, exist_ok=True)
        for index in range(params["n_per_genre"]):
            audio = render_track(genre, index, duration=params["duration"], sr=params["sr"], seed=params["seed"])
            with atomic_path(_track_path(folder, genre, index)) as tmp:
                sf.write(tmp, audio, params["sr"], subtype="PCM_16", format="WAV")
            bar.update()
        name = re.compile(rf"^{genre}\.(\d{{5}})\.wav$")
        for stale in (folder / genre).iterdir():
            match = name.match(stale.name)
            if match and int(match.group(1)) >= params["n_per_genre"]:
                stale.unlink()
    bar.close()
    artists = [f"{genre}.{index:05d},{artist_name(genre, artist_of(index), seed=params['seed'])}"
               for genre in GENRES for index in range(params["n_per_genre"])]
    atomic_write_text(folder / ARTISTS_CSV, "\n".join(["track_id,artist", *artists]) + "\n")
    atomic_write_text(folder / MARKER, json.dumps(params, indent=2) + "\n")
    return folder
