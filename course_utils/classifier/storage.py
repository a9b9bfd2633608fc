"""One file per saved classifier: a zip archive of a JSON manifest, the estimator and the input's artifacts.

Layout of the archive::

    manifest.json      format name and version, course version, labels, input parameters,
                       estimator kind and library version, SHA-256 of every other member
    estimator.joblib   a scikit-learn pipeline (or estimator.keras, a Keras model)
    network.tflite     musicnn's LiteRT network, for musicnn inputs

Loading checks, in order, that the file is such an archive, that its format version is one this
code reads, that the estimator's library version matches the installed one, and that every member
is intact; each refusal says which and what to do. The estimator is unpickled (scikit-learn),
so load only files you trust, as with any pickle. Writes are atomic.

Used in: :meth:`course_utils.classifier.GenreClassifier.save` and ``.load``, ``genre-classify``.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import zipfile
from pathlib import Path

from course_utils.classifier.estimators import KINDS, kind_of
from course_utils.classifier.inputs import input_from_params
from course_utils.errors import ConfigError, CourseError
from course_utils.io import atomic_path

FORMAT = "genre-classify model"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"


class SavedModelError(CourseError):
    """A file is not a saved genre classifier, is damaged, or was saved by an incompatible version."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _course_version() -> str:
    from course_utils import __version__

    return __version__


def save_classifier(classifier, path: str | os.PathLike) -> Path:
    """Write ``classifier`` to ``path`` as one archive, atomically.

    Parameters
    ----------
    classifier : GenreClassifier
        Trained, with a prepared input.
    path : path-like
        The file to write (any name; ``.gcm`` is the course's habit). An existing file is replaced
        only if it is itself a saved classifier.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    SavedModelError
        If ``path`` is a folder, or an existing file that is not a saved classifier.
    """
    path = Path(path)
    if path.is_dir():
        raise SavedModelError(f"{path} is a folder; give the path of the file to write, e.g. {path / 'genres.gcm'}")
    if path.exists():
        try:
            read_manifest(path)
        except SavedModelError:
            raise SavedModelError(f"{path} exists and is not a saved genre classifier; refusing to overwrite it "
                                  "(delete it or choose another path)") from None
    kind = kind_of(classifier.estimator)
    members = {kind.file: kind.dump(classifier.estimator), **classifier.input.artifacts()}
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "course_version": _course_version(),
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "name": classifier.name, "labels": list(classifier.labels),
        "input": {"kind": classifier.input.kind, **classifier.input.params()},
        "estimator": {"kind": kind.kind, "file": kind.file, "library": kind.library,
                      "library_version": kind.version()},
        "trained_on": classifier.trained_on,
        "files": {name: _sha256(data) for name, data in members.items()},
    }
    with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2) + "\n")
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def read_manifest(path: str | os.PathLike) -> dict:
    """The manifest of a saved classifier, checked for format and version (the members are not read).

    Raises
    ------
    SavedModelError
        If ``path`` is missing, not a zip archive with a manifest of :data:`FORMAT`, or of a format
        version this code does not read.
    """
    path = Path(path)
    if not path.is_file():
        raise SavedModelError(f"{path}: no such file; expected a model written by `genre-classify train -o {path}`")
    not_ours = (f"{path} is not a genre classifier saved by course_utils (expected a zip archive holding "
                f"{MANIFEST} of format {FORMAT!r})")
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read(MANIFEST))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as err:
        raise SavedModelError(f"{not_ours}: {err}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise SavedModelError(not_ours)
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        newer = isinstance(version, int) and version > FORMAT_VERSION
        raise SavedModelError(
            f"{path} was saved in format version {version} by course_utils {manifest.get('course_version')}; "
            f"this course_utils ({_course_version()}) reads version {FORMAT_VERSION}: "
            + ("upgrade course_utils to load it" if newer else "train it again with this version"))
    return manifest


def load_classifier(path: str | os.PathLike):
    """Read a classifier written by :func:`save_classifier`.

    Returns
    -------
    GenreClassifier
        Predicts exactly as the classifier that was saved.

    Raises
    ------
    SavedModelError
        If the file is not such a classifier, was saved by an incompatible version (format or
        estimator library), or is damaged.
    """
    from course_utils.classifier.genre import GenreClassifier

    path = Path(path)
    manifest = read_manifest(path)
    try:
        kind = KINDS[manifest["estimator"]["kind"]]
        saved_version = manifest["estimator"]["library_version"]
        with zipfile.ZipFile(path) as archive:
            members = {name: archive.read(name) for name in manifest["files"]}
        estimator_data, labels, name = members[kind.file], list(manifest["labels"]), manifest["name"]
    except (KeyError, TypeError, zipfile.BadZipFile, OSError) as err:
        raise SavedModelError(f"{path} has an incomplete manifest or misses a member ({type(err).__name__}: "
                              f"{err}); save the model again") from None
    if not kind.compatible(saved_version):
        raise SavedModelError(f"{path} holds a {kind.library} {saved_version} estimator; this environment has "
                              f"{kind.library} {kind.version()}, which may not read it faithfully: train it again "
                              f"here, or install {kind.library}=={saved_version}")
    damaged = [member for member, digest in manifest["files"].items() if _sha256(members[member]) != digest]
    if damaged:
        raise SavedModelError(f"{path} is damaged: {', '.join(damaged)} do not match their checksums; save it again")
    try:
        model_input = input_from_params(manifest["input"], members)
    except ConfigError as err:
        raise SavedModelError(f"{path}: {err}") from None
    return GenreClassifier(name, model_input, kind.load(estimator_data), labels,
                           manifest.get("trained_on", {}))
