"""Image data sets: a folder of ``<label>/<image files>`` read as tracks, such as Kaggle's ``images_original``.

Kaggle's copy of GTZAN ships, beside ``genres_original/``, a folder
``images_original/<genre>/<genre>NNNNN.png``: one mel-spectrogram picture (432 x 288 pixels, RGBA)
per clip, named without the dot of the track id (``blues00012.png`` is track ``blues.00012``).
One genre misses a file (Kaggle has no image of ``jazz.00054``, whose audio does not decode). Read as
an :class:`ImageSet`, the rows carry the audio's track ids, so the images join the same track split.

Used in: book/10_transfer_learning.ipynb.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image, UnidentifiedImageError
from tqdm.auto import tqdm

from course_utils.data.collection import PROBLEM_COLUMNS, tracks_table
from course_utils.errors import ConfigError, DatasetError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
KAGGLE_FOLDER = "images_original"
# Where the image label folders sit, relative to the folder a user points at (Kaggle's layout first).
IMAGE_LAYOUTS = (Path("."), Path(KAGGLE_FOLDER), Path("Data") / KAGGLE_FOLDER)
IMAGE_COLUMNS = ["track_id", "label", "path", "width", "height", "mode"]
_UNDOTTED = re.compile(r"^(?P<name>[A-Za-z_-]+)(?P<number>\d{5})$")


def image_track_id(path: str | Path) -> str:
    """The track id of an image file: its name without extension, with GTZAN's dot put back.

    ``blues00012.png`` (Kaggle) and ``blues.00012.png`` both give ``blues.00012``; a name that is
    not letters followed by five digits keeps its stem (``cover.png`` gives ``cover``).
    """
    stem = Path(path).stem
    match = _UNDOTTED.match(stem)
    return f"{match['name']}.{match['number']}" if match else stem


@dataclass(frozen=True)
class ImageSet:
    """A labelled collection of images, one per track.

    Attributes
    ----------
    root : Path
        The folder that holds one sub-folder per label.
    tracks : pd.DataFrame
        One row per image: ``track_id, label, path, width, height, mode`` (PIL's mode, e.g.
        ``"RGBA"``), sorted by label and track id.
    labels : list of str
        The labels in sorted order.
    problems : pd.DataFrame
        Files skipped because they do not open as images (``path, problem``).
    """

    root: Path
    tracks: pd.DataFrame
    labels: list[str]
    problems: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PROBLEM_COLUMNS))

    def __len__(self) -> int:
        return len(self.tracks)

    def describe(self) -> str:
        """One line: size, labels, picture sizes and where the images are."""
        sizes = ", ".join(f"{w} x {h} {m}" for (w, h, m), _ in
                          self.tracks.groupby(["width", "height", "mode"]).size().sort_values().items())
        text = f"{len(self)} images of {len(self.labels)} labels ({sizes}) at {self.root}"
        if len(self.problems):
            text += f"; {len(self.problems)} unreadable files skipped (see .problems)"
        return text

    def missing(self, dataset) -> list[str]:
        """Track ids of ``dataset`` (a Dataset or tracks table) that have no image here, sorted."""
        return sorted(set(tracks_table(dataset)["track_id"]) - set(self.tracks["track_id"]))

    def load(self, *, size: int | tuple[int, int]) -> np.ndarray:
        """Every image as a model input, in the order of :attr:`tracks` (see :func:`load_image`).

        Returns
        -------
        np.ndarray, float32, shape (n_images, height, width, 3), values in [0, 1]
        """
        return np.stack([load_image(p, size=size) for p in tqdm(self.tracks["path"], desc="images", unit="image")])


def load_image(path: str | Path, *, size: int | tuple[int, int]) -> np.ndarray:
    """One picture as an image model sees it: RGB, resized (bilinear), scaled to [0, 1].

    A transparent picture (RGBA, as Kaggle's) is laid over white first, as an image viewer shows it;
    a grey one is repeated in the three channels.

    Parameters
    ----------
    size : int or (height, width)
        Output size in pixels; the aspect ratio is not kept (432 x 288 becomes a square at ``size=224``).

    Returns
    -------
    np.ndarray, float32, shape (height, width, 3)
    """
    height, width = (size, size) if isinstance(size, (int, np.integer)) else tuple(size)
    if min(height, width) < 1:
        raise ConfigError(f"size must be positive pixel counts, got {size!r}")
    with Image.open(path) as picture:
        if picture.mode in ("RGBA", "LA", "P"):
            picture = picture.convert("RGBA")
            picture = Image.alpha_composite(Image.new("RGBA", picture.size, "white"), picture)
        picture = picture.convert("RGB").resize((int(width), int(height)), Image.Resampling.BILINEAR)
        return np.asarray(picture, dtype=np.float32) / 255.0


def _image_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith("."))


def _label_folders(folder: Path) -> list[Path]:
    return [d for d in sorted(folder.iterdir()) if d.is_dir() and not d.name.startswith(".") and _image_files(d)]


def find_image_root(root: str | Path) -> Path:
    """The folder under ``root`` whose sub-folders are labels holding images (``root`` itself,
    ``root/images_original`` or ``root/Data/images_original``)."""
    root = Path(root).expanduser()
    if not root.is_dir():
        raise DatasetError(f"image folder {root} does not exist or is not a folder; expected a folder of "
                           f"<label>/<image files> such as {KAGGLE_FOLDER}/blues/blues00000.png")
    for candidate in (root / rel for rel in IMAGE_LAYOUTS):
        if candidate.is_dir() and len(_label_folders(candidate)) >= 2:
            return candidate
    raise DatasetError(f"no images ({', '.join(IMAGE_SUFFIXES)}) in two or more label folders under {root}; "
                       f"expected <label>/<name>.png such as {KAGGLE_FOLDER}/blues/blues00000.png")


def scan_images(root: str | Path, *, on_error: str = "raise") -> ImageSet:
    """Find, identify and check every image of a labelled folder.

    Parameters
    ----------
    root : path-like
        A folder of ``<label>/<images>``, or one that holds Kaggle's ``images_original``
        (directly or under ``Data/``).
    on_error : {"raise", "skip"}
        What to do with a file that does not open as an image: raise an error naming it, or leave it
        out and list it in ``.problems`` (with a warning).

    Raises
    ------
    DatasetError
        No image folder, two images of one track, or no readable image at all.
    """
    if on_error not in ("raise", "skip"):
        raise ConfigError(f"on_error must be 'raise' or 'skip', got {on_error!r}")
    image_root = find_image_root(root)
    rows, problems, seen = [], [], {}
    for folder in _label_folders(image_root):
        for path in _image_files(folder):
            track_id = image_track_id(path)
            if track_id in seen:
                raise DatasetError(f"track {track_id!r} has two images: {seen[track_id]} and {path}; keep one")
            seen[track_id] = path
            try:
                with Image.open(path) as picture:
                    picture.verify()
                    width, height, mode = picture.width, picture.height, picture.mode
            except (OSError, UnidentifiedImageError, SyntaxError) as err:
                if on_error == "raise":
                    raise DatasetError(f"{path} does not open as an image ({err}); pass on_error='skip' to "
                                       "leave it out (it will be listed in .problems)") from err
                problems.append({"path": path, "problem": f"does not open as an image ({err})"})
                continue
            rows.append({"track_id": track_id, "label": folder.name, "path": path, "width": width,
                         "height": height, "mode": mode})
    if not rows:
        raise DatasetError(f"none of the images under {image_root} could be read")
    problems = pd.DataFrame(problems, columns=PROBLEM_COLUMNS)
    if len(problems):
        warnings.warn(f"skipped {len(problems)} unreadable images under {image_root}: "
                      + "; ".join(p.path.name for p in problems.itertuples()), stacklevel=2)
    tracks = pd.DataFrame(rows, columns=IMAGE_COLUMNS).sort_values(["label", "track_id"]).reset_index(drop=True)
    return ImageSet(root=image_root, tracks=tracks, labels=sorted(tracks["label"].unique()), problems=problems)


def kaggle_images(dataset, *, on_error: str = "raise") -> ImageSet | None:
    """Kaggle's ``images_original`` beside a data set's audio, or ``None`` when there is none.

    With the Kaggle copy, ``load_dataset`` finds the audio in ``Data/genres_original``; the images
    are then in ``Data/images_original``.

    Parameters
    ----------
    dataset : Dataset
        From :func:`course_utils.data.load_dataset`.
    """
    root = getattr(dataset, "root", None)
    if root is None:
        raise ConfigError(f"expected a Dataset from load_dataset(), got {type(dataset).__name__}")
    folder = Path(root).parent / KAGGLE_FOLDER
    return scan_images(folder, on_error=on_error) if folder.is_dir() else None
