"""Decide which data set a chapter works on: an explicit one, ``$GTZAN_DIR``, a download, or synthetic.

Used in: every chapter (first cells).
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from pathlib import Path

from course_utils.audio import MIN_SECONDS
from course_utils.config import Profile, data_home, get_profile
from course_utils.data.artists import ARTISTS_CSV, with_artists
from course_utils.data.collection import Dataset, scan_folder
from course_utils.data.download import download, extract_tar
from course_utils.errors import DatasetError
from course_utils.io import atomic_write_text

GTZAN_ENV = "GTZAN_DIR"
# The original Marsyas archive (genres/<genre>/<genre>.000NN.au), mirrored on Hugging Face.
GTZAN_URL = "https://huggingface.co/datasets/marsyas/gtzan/resolve/main/data/genres.tar.gz"
GTZAN_SHA256 = "24347e0223d2ba798e0a558c4c172d9d4a19c00bb7963fe055d183dadb4ef2c6"
_DONE = ".complete"


def gtzan_download_dir() -> Path:
    """Where :func:`download_gtzan` unpacks GTZAN."""
    return data_home() / "gtzan"


def download_gtzan(*, url: str = GTZAN_URL, sha256: str | None = GTZAN_SHA256,
                   progress: bool = True) -> Path:
    """Download real GTZAN (about 1.2 GB) into the data home once and return its folder.

    The archive download resumes after an interruption and is verified against its SHA-256.
    """
    target = gtzan_download_dir()
    if (target / _DONE).is_file():
        return target
    hint = (f"Without a network, point ${GTZAN_ENV} at a local copy of GTZAN "
            "(a folder holding genres/<genre>/<genre>.000NN.au or Data/genres_original/...).")
    archive = download(url, data_home() / "downloads" / "gtzan-genres.tar.gz", sha256=sha256,
                       progress=progress, hint=hint)
    extract_tar(archive, target)
    atomic_write_text(target / _DONE, url)
    return target


def synthetic_dir(profile: Profile, seed: int = 0) -> Path:
    """Folder of the synthetic set for a profile's size (one folder per size and seed)."""
    from course_utils.synth.dataset import FORMAT_VERSION  # a new generator version makes a new folder

    key = f"v{FORMAT_VERSION}-n{profile.synthetic_per_genre}-d{profile.synthetic_seconds:g}-s{seed}"
    return data_home() / "synthetic-gtzan" / key


def ensure_synthetic(profile: Profile, *, seed: int = 0) -> Path:
    """Generate the synthetic GTZAN for ``profile`` unless it exists; safe under parallel callers.

    The set is written to a private folder and renamed into place in one step, so a reader
    never sees a half-written set.
    """
    from course_utils.synth import make_synthetic_gtzan

    target = synthetic_dir(profile, seed)
    if (target / _DONE).is_file():
        return target
    staging = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    make_synthetic_gtzan(staging, n_per_genre=profile.synthetic_per_genre,
                         duration=profile.synthetic_seconds, seed=seed, progress=True)
    atomic_write_text(staging / _DONE, json.dumps({"seed": seed, "profile": profile.name}))
    try:
        os.replace(staging, target)
    except OSError:  # another process finished first: keep its copy
        shutil.rmtree(staging, ignore_errors=True)
        if not (target / _DONE).is_file():
            raise
    return target


def load_dataset(source: str | os.PathLike | None = None, *, profile: Profile | None = None,
                 on_error: str = "raise", min_seconds: float = MIN_SECONDS,
                 allow_mixed_rates: bool = False, artists: str | os.PathLike | None = None) -> Dataset:
    """The data set a chapter works on, with every file checked.

    Resolution order: ``source`` (a folder, or the name ``"synthetic"`` or ``"gtzan"``), then
    ``$GTZAN_DIR``, then a copy made by :func:`download_gtzan`, then the synthetic GTZAN
    (generated on first use in the data home, then reused).

    Parameters
    ----------
    source : path-like or str, optional
        A folder of ``<label>/<audio files>`` in any known layout, or a name.
    profile : Profile, optional
        Sets the size of the synthetic set; defaults to :func:`course_utils.config.get_profile`.
    on_error : {"raise", "skip"}
        What to do with a file that does not decode, is empty or shorter than ``min_seconds``:
        raise an error naming it, or leave it out and list it in ``dataset.problems`` (with a warning).
    min_seconds : float
        Shortest usable clip (default 1 s). Every model accepts every clip of at least this length:
        one shorter than a model's window is looped to fill it (:func:`course_utils.audio.pad_to_length`).
    allow_mixed_rates : bool
        Accept files of different sample rates (they are resampled when loaded).
    artists : path-like, optional
        A CSV naming the artist of tracks (columns ``artist`` and ``track_id`` or ``file``, e.g. a
        collection's ``manifest.csv``). Without it, an ``artists.csv`` beside the label folders (or
        in the folder given) is read when there is one. For real GTZAN, Sturm's index names
        the artists the CSV does not (:func:`course_utils.data.artists.gtzan_artist_index`). The
        tracks table gets a column ``artist``, ``None`` where no source names one;
        ``dataset.artist_note`` says where they came from.
    """
    profile = profile or get_profile()
    scan = dict(on_error=on_error, min_seconds=min_seconds, allow_mixed_rates=allow_mixed_rates)
    if source is not None and str(source).lower() == "synthetic":
        return _synthetic(profile, scan, artists)
    if source is not None and str(source).lower() == "gtzan":
        if not (gtzan_download_dir() / _DONE).is_file():
            raise DatasetError("GTZAN has not been downloaded; call course_utils.data.download_gtzan() "
                               f"or set ${GTZAN_ENV} to a local copy")
        return _folder(gtzan_download_dir(), "download_gtzan()", scan, artists)
    if source is not None:
        return _folder(Path(source), "argument", scan, artists)
    if os.environ.get(GTZAN_ENV):
        return _folder(Path(os.environ[GTZAN_ENV]), f"${GTZAN_ENV}", scan, artists)
    if (gtzan_download_dir() / _DONE).is_file():
        return _folder(gtzan_download_dir(), "download_gtzan()", scan, artists)
    return _synthetic(profile, scan, artists)


def _folder(root: Path, source: str, scan: dict, artists: str | os.PathLike | None) -> Dataset:
    """The data set in a folder; one that :mod:`course_utils.synth` wrote (it leaves its marker file
    beside the label folders) is the synthetic GTZAN, wherever it lies and however it was found."""
    from course_utils.synth.dataset import MARKER

    label_root, tracks, problems = scan_folder(root, **scan)
    dataset = Dataset(name=root.expanduser().resolve().name, root=label_root, tracks=tracks,
                      labels=sorted(tracks["label"].unique()), source=source, problems=problems)
    if (label_root / MARKER).is_file():
        dataset = replace(dataset, name="synthetic GTZAN", synthetic=True)
    elif dataset.is_gtzan:
        dataset = replace(dataset, name="GTZAN")
    if artists is None:
        artists = next((folder / ARTISTS_CSV for folder in (label_root, root.expanduser())
                        if (folder / ARTISTS_CSV).is_file()), None)
    tracks, artist_source = with_artists(dataset.tracks, csv=artists, gtzan=dataset.is_gtzan)
    return replace(dataset, tracks=tracks, artist_source=artist_source)


def _synthetic(profile: Profile, scan: dict, artists: str | os.PathLike | None) -> Dataset:
    return _folder(ensure_synthetic(profile), f"generated (profile {profile.name})", scan, artists)
