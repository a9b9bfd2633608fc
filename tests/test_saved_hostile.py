"""Damaged, edited and hostile model files: each is refused with SavedModelError naming the file and the cause,
nothing in them runs, and loading leaves no trace; a fuzz test flips random bytes of a real model file."""

from __future__ import annotations

import io
import json
import os
import pickle
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
import skops.io
from sklearn.ensemble import RandomForestClassifier

from course_utils.classifier import GenreClassifier, SavedModelError, TrainingTracks, load_classifier
from course_utils.classifier.inputs import EmbeddingInput, FeatureInput
from course_utils.classifier.recipes import RECIPES
from course_utils.classifier.sklearn_format import allowed_type_paths, named_types
from course_utils.classifier.storage import MANIFEST, file_sha256
from course_utils.features import feature_columns

GENRES = ["blues", "jazz", "metal", "rock"]
SENTINEL_NAME = "hostile-code-ran"


def fitted(recipe: str = "features_logreg", *, labels=GENRES, width: int = 57, seed: int = 0):
    """A recipe's pipeline fitted on random vectors: a real estimator, without audio."""
    rng = np.random.default_rng(seed)
    y = np.repeat(labels, 6)
    X = rng.normal(size=(len(y), width)) + np.arange(len(labels)).repeat(6)[:, None]
    return RECIPES[recipe].build(labels=y).fit(X, y)


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> bytes:
    """The bytes of a valid saved features model (with training tracks and artists)."""
    tracks = TrainingTracks(("blues.00000", "jazz.00001"), ("John Lee Hooker", None), ("ab" * 16, "cd" * 16), True)
    model = GenreClassifier("features_logreg", FeatureInput(), fitted(), GENRES, {"data": "GTZAN", "tracks": 2},
                            tracks)
    return model.save(tmp_path_factory.mktemp("good") / "good.gcm").read_bytes()


def unpack(data: bytes) -> tuple[dict, dict[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(members.pop(MANIFEST)), members


def pack(manifest: dict, members: dict[str, bytes], *, rehash: bool = True, extra=()) -> bytes:
    """An archive of ``manifest`` and ``members``; with ``rehash`` the manifest's checksums fit the members
    (an attacker can always do that: the checksums catch damage, the other checks catch the rest)."""
    import hashlib

    if rehash:
        manifest = {**manifest, "files": {name: {"sha256": hashlib.sha256(value).hexdigest(), "size": len(value)}
                                          for name, value in members.items()}}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)   # "Duplicate name": what a hostile file may hold
        archive.writestr(MANIFEST, json.dumps(manifest))
        for name, value in [*members.items(), *extra]:
            archive.writestr(name, value)
    return buffer.getvalue()


def edit(change):
    """A maker that edits the manifest of the good file with ``change(manifest)``."""
    def make(data: bytes) -> bytes:
        manifest, members = unpack(data)
        change(manifest)
        return pack(manifest, members)
    return make


def replace_estimator(estimator_bytes):
    def make(data: bytes) -> bytes:
        manifest, members = unpack(data)
        return pack(manifest, {**members, "estimator.skops": estimator_bytes()})
    return make


def flip(offset_fraction: float):
    def make(data: bytes) -> bytes:
        data = bytearray(data)
        data[int(len(data) * offset_fraction)] ^= 0xFF
        return bytes(data)
    return make


def rename_type(old: str, new_module: str, new_class: str):
    """A skops file whose schema names another type (a hostile file need not come from skops.io.dumps)."""
    def rename(node):
        if isinstance(node, dict):
            if node.get("__class__") == old:
                node.update({"__class__": new_class, "__module__": new_module})
            for value in node.values():
                rename(value)
        elif isinstance(node, list):
            for value in node:
                rename(value)

    def estimator() -> bytes:
        source = io.BytesIO(skops.io.dumps(fitted()))
        out = io.BytesIO()
        with zipfile.ZipFile(source) as archive, zipfile.ZipFile(out, "w") as target:
            for name in archive.namelist():
                value = archive.read(name)
                if name == "schema.json":
                    schema = json.loads(value)
                    rename(schema)
                    value = json.dumps(schema).encode()
                target.writestr(name, value)
        return out.getvalue()
    return estimator


class RunsCode:
    """Unpickling this would create the sentinel file: the test fails if it ever exists."""

    def __init__(self, target: Path):
        self.target = target

    def __reduce__(self):
        return (os.system, (f"touch {self.target}",))


def pickled_estimator(tmp_path: Path) -> bytes:
    return pickle.dumps(RunsCode(tmp_path / SENTINEL_NAME))


def old_format_with_pickle(tmp_path: Path):
    """A format-1 file whose estimator is a pickle that runs code (what version 1 would have unpickled)."""
    def make(data: bytes) -> bytes:
        manifest, members = unpack(data)
        manifest.update(format_version=1)
        members.pop("estimator.skops")
        return pack(manifest, {"estimator.joblib": pickled_estimator(tmp_path)})
    return make


def with_members(*extra, rehash=True):
    def make(data: bytes) -> bytes:
        manifest, members = unpack(data)
        return pack(manifest, members, rehash=rehash, extra=extra)
    return make


def zip_bomb_manifest(data: bytes) -> bytes:
    manifest, members = unpack(data)
    manifest["padding"] = " " * (17 * 2**20)    # 17 MB of spaces, a few kB compressed
    return pack(manifest, members)


def yamnet_with_pooling(data: bytes, pooling: str) -> bytes:
    manifest, _ = unpack(data)
    manifest.update(input={"kind": "embedding", **EmbeddingInput("yamnet", pooling=pooling).params()}, width=1024,
                    feature_names=None)
    return pack(manifest, {"estimator.skops": skops.io.dumps(fitted("musicnn_logreg", width=1024))})


def musicnn_with_broken_network(data: bytes) -> bytes:
    manifest, members = unpack(data)
    manifest.update(input={"kind": "embedding", **EmbeddingInput(layer="penultimate").params()}, width=200,
                    feature_names=None)
    estimator = skops.io.dumps(fitted("musicnn_logreg", width=200))
    return pack(manifest, {"estimator.skops": estimator, "network.tflite": b"TFL3" + b"\x00" * 500})


CASES = {
    # name: (maker(data, tmp_path) -> bytes, cause, a phrase of the message)
    "empty file": (lambda d, t: b"", "not a model", "not a zip archive"),
    "text file": (lambda d, t: b"hello, I am a model", "not a model", "not a zip archive"),
    "cut in half": (lambda d, t: d[:len(d) // 2], "truncated", "does not read"),
    "cut before the end": (lambda d, t: d[:-30], "truncated", "does not read"),
    "zip of something else": (lambda d, t: _other_zip(), "not a model", "expected a zip archive"),
    "bit flipped in the estimator": (lambda d, t: flip(0.5)(d), "tampered", ""),
    "bit flipped in the directory": (lambda d, t: flip(0.99)(d), "tampered", ""),
    "member edited, checksum kept": (lambda d, t: _keep_checksums(d), "tampered", "does not match its SHA-256"),
    "genres reversed": (lambda d, t: edit(lambda m: m["labels"].reverse())(d), "inconsistent",
                        "not the estimator's classes"),
    "genres cut to 3": (lambda d, t: edit(lambda m: m.update(labels=m["labels"][:3]))(d), "inconsistent",
                        "not the estimator's classes"),
    "two genres swapped": (lambda d, t: edit(lambda m: m.update(labels=["jazz", "blues", "metal", "rock"]))(d),
                           "inconsistent", "not the estimator's classes"),
    "genre renamed": (lambda d, t: edit(lambda m: m.update(labels=["blues", "jazz", "metal", "polka"]))(d),
                      "inconsistent", "not the estimator's classes"),
    "genres not names": (lambda d, t: edit(lambda m: m.update(labels=[1, 2, 3, 4]))(d), "inconsistent",
                         "not a list of distinct names"),
    "width changed": (lambda d, t: edit(lambda m: m.update(width=40))(d), "inconsistent", "takes vectors of 57"),
    "other input shape": (lambda d, t: edit(lambda m: m["input"].update(n_mfcc=13))(d), "inconsistent",
                          "gives vectors of 43 values"),
    "feature names reordered": (lambda d, t: edit(lambda m: m["feature_names"].reverse())(d), "inconsistent",
                                "feature names differ"),
    "estimator of other genres": (lambda d, t: replace_estimator(
        lambda: skops.io.dumps(fitted(labels=["a", "b", "c", "d"])))(d), "inconsistent", "not the estimator's classes"),
    "estimator of another width": (lambda d, t: replace_estimator(
        lambda: skops.io.dumps(fitted(width=12)))(d), "inconsistent", "takes vectors of 12 values"),
    "traversal name": (lambda d, t: with_members(("../../evil.py", b"print('hi')"))(d), "tampered",
                       "not plain file names"),
    "absolute name": (lambda d, t: with_members(("/tmp/evil.py", b"x"))(d), "tampered", "not plain file names"),
    "unexpected member": (lambda d, t: with_members(("evil.py", b"x"))(d), "tampered", "that no model holds"),
    "member twice": (lambda d, t: with_members(("estimator.skops", b"x"), rehash=False)(d), "tampered", "twice"),
    "manifest too large": (lambda d, t: zip_bomb_manifest(d), "too large", "manifest.json would unpack to"),
    "manifest not JSON": (lambda d, t: _raw_manifest(d, b"{not json"), "tampered", "is not JSON"),
    "manifest a list": (lambda d, t: _raw_manifest(d, b"[1, 2]"), "not a model", "expected a zip archive"),
    "files entry of the wrong type": (lambda d, t: _raw_files(d, []), "tampered", "files is list, expected dict"),
    "width a string": (lambda d, t: edit(lambda m: m.update(width="57"))(d), "tampered", "width is str"),
    "training tracks of unequal lengths": (lambda d, t: edit(lambda m: m["training_tracks"]["artist"].pop())(d),
                                           "inconsistent", "three lists of one length"),
    "a pickle that runs code": (lambda d, t: replace_estimator(lambda: pickled_estimator(t))(d), "tampered",
                                "is not a zip archive"),
    "format 1 with a pickle": (lambda d, t: old_format_with_pickle(t)(d), "format version",
                               "format version 1"),
    "newer format": (lambda d, t: edit(lambda m: m.update(format_version=99))(d), "format version",
                     "upgrade course_utils"),
    "other scikit-learn": (lambda d, t: edit(lambda m: m["versions"].update({"scikit-learn": "1.2.0"}))(d),
                           "needs a package", "scikit-learn 1.2.0 estimator"),
    "unknown estimator kind": (lambda d, t: edit(lambda m: m["estimator"].update(kind="xgboost"))(d), "tampered",
                               "unknown estimator 'xgboost'"),
    "type that runs code in skops": (lambda d, t: replace_estimator(
        rename_type("StandardScaler", "os", "system"))(d), "untrusted types", "os.system"),
    "scikit-learn type off the list": (lambda d, t: replace_estimator(
        lambda: skops.io.dumps(RandomForestClassifier(n_estimators=2).fit(np.eye(4), GENRES)))(d),
        "untrusted types", "RandomForestClassifier"),
    "input parameter of the wrong type": (lambda d, t: edit(lambda m: m["input"].update(n_mfcc="20"))(d), "tampered",
                                          "input parameter n_mfcc is '20', expected a int"),
    "unknown pooling": (lambda d, t: yamnet_with_pooling(d, "max"), "inconsistent", "pooling must be one of"),
    "musicnn network that is no network": (lambda d, t: musicnn_with_broken_network(d), "inconsistent",
                                           "network does not load"),
}


def _other_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "a zip, not a model")
    return buffer.getvalue()


def _keep_checksums(data: bytes) -> bytes:
    manifest, members = unpack(data)
    estimator = bytearray(members["estimator.skops"])
    estimator[len(estimator) // 2] ^= 1
    return pack(manifest, {**members, "estimator.skops": bytes(estimator)}, rehash=False)


def _raw_manifest(data: bytes, text: bytes) -> bytes:
    _, members = unpack(data)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(MANIFEST, text)
        for name, value in members.items():
            archive.writestr(name, value)
    return buffer.getvalue()


def _raw_files(data: bytes, files) -> bytes:
    manifest, members = unpack(data)
    manifest["files"] = files
    return _raw_manifest(data, json.dumps(manifest).encode())


def test_the_battery_is_large_enough():
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_file_is_refused_with_its_cause_and_no_side_effect(case, good, tmp_path):
    make, cause, phrase = CASES[case]
    path = tmp_path / "model.gcm"
    path.write_bytes(make(good, tmp_path))
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")}
    with pytest.raises(SavedModelError) as refused:
        load_classifier(path)
    assert refused.value.cause == cause and str(refused.value).startswith(f"{path}: {cause}: ")
    assert phrase in str(refused.value)
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")} == before    # nothing written or changed
    assert not (tmp_path / SENTINEL_NAME).exists()


def test_untrusted_types_load_only_with_the_files_sha256(good, tmp_path):
    forest = RandomForestClassifier(n_estimators=3, random_state=0).fit(np.random.default_rng(0).normal(size=(8, 57)),
                                                                        GENRES * 2)
    manifest, members = unpack(good)
    path = tmp_path / "forest.gcm"
    path.write_bytes(pack(manifest, {**members, "estimator.skops": skops.io.dumps(forest)}))
    with pytest.raises(SavedModelError, match=f"--trust {file_sha256(path)}"):
        load_classifier(path)
    with pytest.raises(SavedModelError, match="is not this file's SHA-256"):
        load_classifier(path, trust="0" * 64)
    loaded = load_classifier(path, trust=file_sha256(path))
    assert type(loaded.estimator).__name__ == "RandomForestClassifier"


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_every_recipe_is_made_of_allowed_types(name):
    """A new model type needs one line in sklearn_format.ALLOWED_TYPES; this test names the missing ones."""
    width = 57 if isinstance(RECIPES[name].input, FeatureInput) else 200
    types = named_types(skops.io.dumps(fitted(name, width=width)), max_bytes=2**30)
    assert types <= allowed_type_paths(), f"add to ALLOWED_TYPES: {sorted(types - allowed_type_paths())}"


def test_feature_names_of_the_good_file_are_the_codes(good):
    manifest, _ = unpack(good)
    assert manifest["feature_names"] == feature_columns(20)


def test_oversized_estimator_is_refused_before_decompressing(good, tmp_path, monkeypatch):
    from course_utils.classifier import storage

    monkeypatch.setitem(storage.MAX_BYTES, "estimator.skops", 1000)
    path = tmp_path / "big.gcm"
    path.write_bytes(good)
    with pytest.raises(SavedModelError, match="too large: member estimator.skops would unpack to"):
        load_classifier(path)


def test_random_byte_flips_never_escape_as_another_exception(good, tmp_path):
    rng = np.random.default_rng(2026)
    path = tmp_path / "fuzzed.gcm"
    outcomes = {"loaded": 0}
    for _ in range(300):
        data = bytearray(good)
        for offset in rng.integers(0, len(data), size=rng.integers(1, 4)):
            data[offset] = rng.integers(0, 256)
        path.write_bytes(bytes(data))
        try:
            model = load_classifier(path)
        except SavedModelError as err:
            outcomes[err.cause] = outcomes.get(err.cause, 0) + 1
        else:
            outcomes["loaded"] += 1    # a flip in a timestamp or an unused field: it must still predict the same
            assert model.labels == GENRES
    assert sum(outcomes.values()) == 300 and outcomes.get("tampered", 0) > 100, outcomes


def test_other_versions_of_safe_libraries_load_with_a_warning_saying_what_differs(good, tmp_path):
    path = tmp_path / "older.gcm"
    path.write_bytes(edit(lambda m: m["versions"].update(numpy="1.26.4", python="3.11.2"))(good))
    with pytest.warns(UserWarning, match=r"numpy 1\.26\.4 \(here [\d.]+\).*this is safe") as caught:
        model = load_classifier(path)
    assert model.labels == GENRES and "python 3.11.2" in str(caught[0].message)


def test_a_missing_estimator_library_is_named(good, tmp_path, monkeypatch):
    from course_utils.classifier import storage

    versions = storage.environment_versions()
    monkeypatch.setattr(storage, "environment_versions", lambda: {**versions, "scikit-learn": None})
    path = tmp_path / "model.gcm"
    path.write_bytes(good)
    with pytest.raises(SavedModelError, match="needs a package: its estimator needs scikit-learn .* not installed"):
        load_classifier(path)
