"""One file per saved classifier: a zip archive of a JSON manifest, the estimator and the input's artifacts.

Layout of the archive (format version 2)::

    manifest.json      format name and version, the versions it was saved with (course, Python,
                       numpy, scikit-learn, TensorFlow, ...), labels, input parameters and vector
                       width, estimator kind, the temperature of its probabilities (absent: 1),
                       training tracks, SHA-256 and size of every other member
    estimator.skops    a scikit-learn pipeline written by skops (or estimator.keras, a Keras model)
    network.tflite     musicnn's LiteRT network, for musicnn inputs

A saved model is untrusted input: nothing in it is unpickled. Loading checks, before building
anything, that the file is such an archive of plain member names and capped sizes (read from the
zip directory, before decompressing), of a format version this code reads, saved with a compatible
estimator library, and that every member matches its SHA-256; the scikit-learn part is rebuilt by
skops only if every type it names is on the allow-list (:mod:`~course_utils.classifier.sklearn_format`),
a Keras part in safe mode. Then the manifest is checked against the content: genres equal the
estimator's classes in order, widths and feature names match. Every refusal is a
:class:`SavedModelError` naming the file and the cause. Writes are atomic.

Used in: :meth:`course_utils.classifier.GenreClassifier.save` and ``.load``, ``genre-classify``.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import os
import platform
import re
import warnings
import zipfile
import zlib
from importlib import metadata
from pathlib import Path

from course_utils.classifier.consistency import check_consistency, feature_names
from course_utils.classifier.estimators import KERAS_CODE, KINDS, kind_of
from course_utils.classifier.inputs import INPUTS, input_from_params
from course_utils.classifier.sklearn_format import UntrustedTypes, named_types
from course_utils.classifier.training import TrainingTracks
from course_utils.data.download import file_sha256
from course_utils.errors import ConfigError, CourseError
from course_utils.io import atomic_path

FORMAT = "genre-classify model"
FORMAT_VERSION = 2
MANIFEST = "manifest.json"
# Largest unpacked size of each member, checked in the zip directory before anything is decompressed.
MAX_BYTES = {MANIFEST: 16 * 2**20, "estimator.skops": 256 * 2**20, "estimator.keras": 256 * 2**20,
             "network.tflite": 64 * 2**20}
# Versions recorded in every model; those of the estimator's library must match (estimators.KINDS).
RECORDED = ("numpy", "scipy", "scikit-learn", "skops", "tensorflow", "keras", "ai-edge-litert")
PLAIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
CAUSES = ("missing", "unreadable", "not a model", "truncated", "tampered", "too large", "format version", "needs a package",
          "inconsistent", "untrusted types", "cannot write")
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError,
               OverflowError, KeyError, IndexError, TypeError)


class SavedModelError(CourseError):
    """A file is not a saved genre classifier, is damaged or hostile, or needs what this environment lacks.

    Attributes
    ----------
    path : Path
        The file.
    cause : str
        One of :data:`CAUSES`.
    """

    def __init__(self, path, cause: str, detail: str):
        self.path, self.cause = Path(path), cause
        super().__init__(f"{path}: {cause}: {detail}")


class ModelVersionWarning(UserWarning):
    """A model was saved under other library versions than this environment's, in ways that are safe."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def environment_versions() -> dict[str, str | None]:
    """The course's, Python's and each library's version here (``None`` for a package not installed)."""
    from course_utils import __version__

    versions = {"course_utils": __version__, "python": platform.python_version()}
    for package in RECORDED:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return versions


def check_output_path(path: str | os.PathLike) -> Path:
    """Refuse, before any work, a path a model cannot be written to.

    Raises
    ------
    SavedModelError
        (cause ``"cannot write"``) if ``path`` is a folder, an existing file that is not a saved
        classifier, in a folder that does not exist, or in one this user cannot write to.
    """
    path = Path(path)
    if path.is_dir():
        raise SavedModelError(path, "cannot write", f"it is a folder; give the path of the file to write, "
                                                    f"e.g. {path / 'genres.gcm'}")
    if not path.parent.is_dir():
        raise SavedModelError(path, "cannot write", f"its folder {path.parent} does not exist; create it first")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise SavedModelError(path, "cannot write", f"its folder {path.parent} is not writable by this user")
    if path.exists():
        try:
            read_manifest(path)
        except SavedModelError as err:
            if err.cause == "format version":   # a model of another version: replacing it is fine
                return path
            raise SavedModelError(path, "cannot write", "it exists and is not a saved genre classifier; refusing "
                                  "to overwrite it (delete it or choose another path)") from None
    return path


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
        If ``path`` cannot be written (:func:`check_output_path`).
    """
    path = check_output_path(path)
    kind = kind_of(classifier.estimator)
    members = {kind.file: kind.dump(classifier.estimator), **classifier.input.artifacts()}
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "versions": environment_versions(),
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "name": classifier.name, "labels": list(classifier.labels),
        "input": {"kind": classifier.input.kind, **classifier.input.params()},
        "width": kind.fit_shape(classifier.estimator)["n_features"], "feature_names": feature_names(classifier.input),
        "estimator": {"kind": kind.kind, "file": kind.file, "library": kind.library},
        "trained_on": classifier.trained_on, "temperature": float(classifier.temperature),
        "training_tracks": classifier.training_tracks.to_json(),
        "files": {name: {"sha256": _sha256(data), "size": len(data)} for name, data in members.items()},
    }
    with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, indent=1) + "\n")
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> bytes:
    cap = MAX_BYTES[info.filename]
    if info.file_size > cap:
        raise SavedModelError(path, "too large", f"member {info.filename} would unpack to {info.file_size} bytes; "
                                                 f"the limit is {cap}")
    with archive.open(info) as member:
        data = member.read(cap + 1)
    if len(data) != info.file_size:
        raise SavedModelError(path, "tampered", f"member {info.filename} unpacks to another size than its "
                                                f"zip entry says")
    return data


def _open(path: Path) -> tuple[dict, dict[str, bytes]]:
    """The manifest and every other member of an archive, checked for names, sizes, format and version
    (not yet for content)."""
    not_ours = f"expected a zip archive holding {MANIFEST} of format {FORMAT!r}, written by `genre-classify train`"
    if path.is_dir():
        raise SavedModelError(path, "not a model", f"it is a folder; {not_ours}")
    if not path.is_file():
        raise SavedModelError(path, "missing", f"no such file; expected a model written by "
                                               f"`genre-classify train -o {path}`")
    try:
        with open(path, "rb") as handle:
            head = handle.read(4)
    except OSError as err:
        raise SavedModelError(path, "unreadable", f"it cannot be read ({err.strerror})") from None
    try:
        if head != b"PK\x03\x04":
            raise SavedModelError(path, "not a model", not_ours + " (this is not a zip archive)")
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = [info.filename for info in infos]
            odd = [name for name in names if not PLAIN_NAME.match(name)]
            if odd:
                raise SavedModelError(path, "tampered", f"member names {odd!r} are not plain file names")
            if len(set(names)) != len(names):
                raise SavedModelError(path, "tampered", f"it holds members {names}, some twice")
            if MANIFEST not in names:
                raise SavedModelError(path, "not a model", not_ours + f" (it holds {names[:5]})")
            manifest = _parse_manifest(path, _read_member(archive, archive.getinfo(MANIFEST), path), not_ours)
            _check_version(path, manifest)
            if not set(names) <= set(MAX_BYTES):
                raise SavedModelError(path, "tampered", f"it holds members {names}, some that no model holds "
                                                        f"(expected some of {sorted(MAX_BYTES)})")
            members = {info.filename: _read_member(archive, info, path) for info in infos
                       if info.filename != MANIFEST}
    except SavedModelError:
        raise
    except _ZIP_ERRORS as err:
        cause = "truncated" if "truncated" in str(err) or isinstance(err, EOFError) else "tampered"
        if isinstance(err, zipfile.BadZipFile) and "not a zip file" in str(err).lower():
            cause = "truncated"   # the zip directory at the end is missing: the file was cut
        raise SavedModelError(path, cause, f"its zip archive does not read ({type(err).__name__}: {err})") from None
    return manifest, members


def _parse_manifest(path: Path, data: bytes, not_ours: str) -> dict:
    try:
        manifest = json.loads(data)
    except ValueError as err:
        raise SavedModelError(path, "tampered", f"{MANIFEST} is not JSON ({err})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise SavedModelError(path, "not a model", not_ours)
    return manifest


def _check_version(path: Path, manifest: dict) -> None:
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        newer = isinstance(version, int) and version > FORMAT_VERSION
        saved_by = manifest.get("versions", {}).get("course_utils") if isinstance(manifest.get("versions"), dict) \
            else manifest.get("course_version")
        raise SavedModelError(path, "format version", f"saved in format version {version} by course_utils "
                              f"{saved_by}; this course_utils reads version {FORMAT_VERSION}: "
                              + ("upgrade course_utils to load it" if newer else "train it again with this version"))


def _expect(path: Path, value, kind, what: str):
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise SavedModelError(path, "tampered", f"the manifest's {what} is {type(value).__name__}, "
                                                f"expected {getattr(kind, '__name__', kind)}")
    return value


def read_manifest(path: str | os.PathLike) -> dict:
    """The manifest of a saved classifier, checked for format and version (the members are not built).

    Raises
    ------
    SavedModelError
        If ``path`` is missing, not such an archive, or of a format version this code does not read.
    """
    return _open(Path(path))[0]


def _check_members(path: Path, manifest: dict, members: dict[str, bytes]) -> None:
    files = _expect(path, manifest.get("files"), dict, "files")
    if set(files) != set(members):
        raise SavedModelError(path, "tampered", f"the manifest lists members {sorted(files)} but the archive "
                                                f"holds {sorted(members)}")
    for name, entry in files.items():
        entry = _expect(path, entry, dict, f"entry of {name}")
        if entry.get("size") != len(members[name]) or entry.get("sha256") != _sha256(members[name]):
            raise SavedModelError(path, "tampered", f"member {name} does not match its SHA-256 and size in the "
                                                    "manifest: the file was damaged or edited; save it again")


def _check_library(path: Path, manifest: dict):
    estimator = _expect(path, manifest.get("estimator"), dict, "estimator")
    kind = KINDS.get(estimator.get("kind"))
    if kind is None or estimator.get("file") != kind.file:
        raise SavedModelError(path, "tampered", f"unknown estimator {estimator.get('kind')!r} in "
                                                f"{estimator.get('file')!r}; expected one of {sorted(KINDS)}")
    saved = _expect(path, manifest.get("versions"), dict, "versions")
    here = environment_versions()
    if here.get(kind.library) is None:
        raise SavedModelError(path, "needs a package", f"its estimator needs {kind.library} "
                                                       f"{saved.get(kind.library)}, which is not installed here")
    saved_version = _expect(path, saved.get(kind.library), str, f"{kind.library} version")
    if not kind.compatible(saved_version):
        raise SavedModelError(path, "needs a package", f"it holds a {kind.library} {saved_version} estimator; "
                              f"this environment has {kind.library} {kind.version()}, whose estimators may not "
                              f"mean the same: not safe. Train it again here, or install "
                              f"{kind.library}=={saved_version}")
    differ = [f"{name} {saved.get(name)} (here {version})" for name, version in here.items()
              if name != kind.library and saved.get(name) != version and saved.get(name) is not None]
    if differ:
        warnings.warn(f"{path} was saved with {', '.join(differ)}; this is safe (the estimator is stored in a "
                      "version-independent form and its library version matches), but probabilities may "
                      "differ in the last digits", ModelVersionWarning, stacklevel=3)
    return kind


def _check_input_types(path: Path, params: dict) -> None:
    """Each input parameter has the type of its field's default (a number where a number is expected...)."""
    cls = INPUTS.get(params.get("kind"))
    for field in dataclasses.fields(cls) if cls else ():
        if field.name not in params or field.default is dataclasses.MISSING:
            continue
        value, default = params[field.name], field.default
        allowed = (str, type(None)) if default is None else (int, float) if isinstance(default, float) \
            else (type(default),)
        if not isinstance(value, allowed) or isinstance(value, bool) != isinstance(default, bool):
            raise SavedModelError(path, "tampered", f"its input parameter {field.name} is {value!r}, expected a "
                                                    f"{' or '.join(t.__name__ for t in allowed)}")


def _load_estimator(path: Path, kind, members: dict[str, bytes], trust: str | None):
    if kind.file not in members:
        raise SavedModelError(path, "tampered", f"it lacks its estimator {kind.file}")
    data, cap = members[kind.file], MAX_BYTES[kind.file]
    trusted = frozenset()
    if trust is not None:
        digest = file_sha256(path)
        if trust.lower() != digest:
            raise SavedModelError(path, "untrusted types", f"--trust {trust} is not this file's SHA-256 ({digest})")
    try:
        if trust is not None:
            trusted = frozenset(named_types(data, max_bytes=cap)) if kind.kind == "sklearn" else frozenset({KERAS_CODE})
        return kind.load(data, max_bytes=cap, trusted_types=trusted)
    except UntrustedTypes as err:
        raise SavedModelError(path, "untrusted types", f"{err}. They are refused because building them could run "
                              f"code. If you trust where this file comes from, load it with --trust "
                              f"{file_sha256(path)} (its SHA-256; trust= in Python)") from None
    except Exception as err:   # skops and Keras raise many kinds on a hostile estimator; all mean the same here
        raise SavedModelError(path, "tampered", f"its estimator {kind.file} does not load "
                                                f"({type(err).__name__}: {err})") from None


def load_parts(path: str | os.PathLike, *, trust: str | None = None) -> dict:
    """Read and check a file written by :func:`save_classifier`; the fields of a ``GenreClassifier``.

    Parameters
    ----------
    path : path-like
    trust : str, optional
        The file's SHA-256 (:func:`file_sha256`): load it even though its estimator names types
        outside the allow-list. Give it only for a file whose origin you trust.

    Returns
    -------
    dict
        ``name, input, estimator, labels, trained_on, training_tracks, temperature`` (1.0 for a
        model saved before temperatures were stored).

    Raises
    ------
    SavedModelError
        For every way the file can be wrong; its ``cause`` says which (:data:`CAUSES`).
    """
    path = Path(path)
    manifest, members = _open(path)
    _check_members(path, manifest, members)
    kind = _check_library(path, manifest)
    labels = _expect(path, manifest.get("labels"), list, "labels")
    if not labels or not all(isinstance(label, str) for label in labels) or len(set(labels)) != len(labels):
        raise SavedModelError(path, "inconsistent", f"its genre list {labels!r} is not a list of distinct names")
    name = _expect(path, manifest.get("name"), str, "name")
    trained_on = _expect(path, manifest.get("trained_on", {}), dict, "trained_on")
    width = _expect(path, manifest.get("width"), int, "width")
    temperature = _expect(path, manifest.get("temperature", 1.0), (int, float), "temperature")
    if not 0 < temperature < float("inf"):
        raise SavedModelError(path, "inconsistent", f"its temperature {temperature!r} is not a positive number")
    _check_input_types(path, _expect(path, manifest.get("input"), dict, "input"))
    try:
        model_input = input_from_params(manifest["input"], members)
        training_tracks = TrainingTracks.from_json(manifest.get("training_tracks"))
    except (ConfigError, TypeError, ValueError) as err:
        raise SavedModelError(path, "inconsistent", str(err)) from None
    estimator = _load_estimator(path, kind, members, trust)
    try:
        check_consistency(kind=kind, estimator=estimator, labels=labels, width=width, model_input=model_input,
                          names=manifest.get("feature_names"))
    except (ConfigError, TypeError, ValueError) as err:
        raise SavedModelError(path, "inconsistent", str(err)) from None
    return {"name": name, "input": model_input, "estimator": estimator, "labels": labels,
            "trained_on": trained_on, "training_tracks": training_tracks, "temperature": float(temperature)}
