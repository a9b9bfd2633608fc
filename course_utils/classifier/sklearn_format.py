"""scikit-learn estimators as ``skops`` files, loaded only when every type they name is on an allow-list.

A saved model is untrusted input, so its scikit-learn pipeline is never unpickled: it is written
with ``skops.io`` (a zip of JSON and ``.npy`` arrays), and before loading, every type the file's
schema names is compared with :data:`ALLOWED_TYPES` (plus plain containers and numpy arrays,
:data:`BASIC_TYPES`). A file naming any other type is refused unless the caller trusts that file
explicitly (``trusted_types``). To let the course save a new kind of model, add its classes to
:data:`ALLOWED_TYPES`, one line each (``tests/test_saved.py`` checks that every recipe's types are on it).

Used in: :mod:`course_utils.classifier.estimators` (the saved classifier's estimator).
"""

from __future__ import annotations

import functools
import importlib
import io
import json
import zipfile

from course_utils.errors import ConfigError

# Every scikit-learn class a saved classifier may hold, by the name it is imported under.
ALLOWED_TYPES = (
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing.StandardScaler",
    "sklearn.preprocessing.LabelEncoder",
    "sklearn.linear_model.LogisticRegression",
    "sklearn.svm.SVC",
    "sklearn.discriminant_analysis.LinearDiscriminantAnalysis",
    "sklearn.svm.LinearSVC",
    "sklearn.neighbors.KNeighborsClassifier",
    "sklearn.dummy.DummyClassifier",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.isotonic.IsotonicRegression",
    "sklearn.ensemble.VotingClassifier",
)
# Containers and arrays, the parts of every file.
BASIC_TYPES = frozenset({
    "builtins.dict", "builtins.list", "builtins.tuple", "builtins.str", "builtins.int", "builtins.float",
    "builtins.bool", "builtins.NoneType", "builtins.slice", "numpy.ndarray", "numpy.dtype", "numpy.float64",
    "numpy.float32", "numpy.int64", "numpy.int32", "numpy.bool_", "numpy.str_", "numpy.random.RandomState",
})
# The skops node kinds that only rebuild data and objects of checked types.
LOADERS = frozenset({"DictNode", "ListNode", "TupleNode", "JsonNode", "NdArrayNode", "ObjectNode", "TypeNode",
                     "RandomStateNode", "SliceNode", "SparseMatrixNode"})
SCHEMA = "schema.json"


@functools.lru_cache(maxsize=1)
def allowed_type_paths() -> frozenset[str]:
    """:data:`ALLOWED_TYPES` as the ``module.Class`` paths skops records (the modules where they are defined)."""
    paths = set()
    for name in ALLOWED_TYPES:
        module, _, attribute = name.rpartition(".")
        cls = getattr(importlib.import_module(module), attribute)
        paths.add(f"{cls.__module__}.{cls.__qualname__}")
    return frozenset(paths) | BASIC_TYPES


def _walk(node, types: set[str], loaders: set[str]) -> None:
    if isinstance(node, dict):
        if "__class__" in node or "__module__" in node:
            types.add(f"{node.get('__module__')}.{node.get('__class__')}")
        if "__loader__" in node:
            loaders.add(str(node["__loader__"]))
        for value in node.values():
            _walk(value, types, loaders)
    elif isinstance(node, list):
        for value in node:
            _walk(value, types, loaders)


def check_unpacked_size(data: bytes, *, max_bytes: int) -> None:
    """Refuse (:class:`ConfigError`) a zip whose members would unpack to more than ``max_bytes``, before unpacking."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            size = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as err:
        raise ConfigError(f"its estimator is not a zip archive as skops and Keras write "
                          f"({type(err).__name__}: {err})") from None
    if size > max_bytes:
        raise ConfigError(f"its estimator unpacks to {size} bytes, more than the limit of {max_bytes}")


def named_types(data: bytes, *, max_bytes: int) -> set[str]:
    """The types (``module.Class``) and unusual skops loaders (``skops FunctionNode``) a skops file names.

    Read from its schema; nothing is built.

    Raises
    ------
    ConfigError
        If the data is not a skops file, or its unpacked members would exceed ``max_bytes``.
    """
    check_unpacked_size(data, max_bytes=max_bytes)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            with archive.open(SCHEMA) as member:
                schema = json.loads(member.read(max_bytes + 1))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError, NotImplementedError, RuntimeError) as err:
        raise ConfigError(f"its scikit-learn part is not a skops file ({type(err).__name__}: {err})") from None
    types, loaders = set(), set()
    _walk(schema, types, loaders)
    return types | {f"skops {name}" for name in loaders - LOADERS}


def dump(estimator) -> bytes:
    """The skops bytes of a fitted scikit-learn estimator."""
    import skops.io

    return skops.io.dumps(estimator, compression=zipfile.ZIP_DEFLATED)


def load(data: bytes, *, max_bytes: int, trusted_types: frozenset[str] = frozenset()):
    """The estimator in skops ``data``, if every type it names is allowed.

    Parameters
    ----------
    data : bytes
        A file written by :func:`dump`.
    max_bytes : int
        Cap on the unpacked size of its members (checked before anything is unpacked).
    trusted_types : frozenset of str
        Types outside :data:`ALLOWED_TYPES` the caller has chosen to trust for this file.

    Raises
    ------
    ConfigError
        If the data is not a skops file or is too large; :class:`UntrustedTypes` if it names a type
        that is neither allowed nor trusted.
    """
    import skops.io

    named = named_types(data, max_bytes=max_bytes)
    refused = sorted(named - allowed_type_paths() - trusted_types)
    if refused:
        raise UntrustedTypes(refused)
    return skops.io.loads(data, trusted=sorted(name for name in named if not name.startswith("skops ")))


class UntrustedTypes(ConfigError):
    """A skops file names types outside the allow-list."""

    def __init__(self, types: list[str]):
        self.types = types
        super().__init__(f"it holds types outside the course's allow-list: {', '.join(types)}")
