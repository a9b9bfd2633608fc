"""How to pad a clip shorter than a model's window: loop it, or append silence? Measured on real audio by new artists.

Protocol (``unseen_artists.py``): two models are trained on the 100 whole clips of
``../shared/data/gtzan-mini`` and score excerpts of the files of ``../shared/data/gtzan-artists`` by
artists gtzan-mini lacks (no artist on both sides), each excerpt padded to 3 s both ways:
- excerpts of 1.5, 2.0 and 2.6 s cut from three places of each unseen 30-s clip (blues, jazz, reggae);
- the first 1.5, 2.0 and 2.6 s of each unseen 2-3 s excerpt (8 genres) that lasts that long.
The models:
- musicnn (MSD) embedding + logistic regression, trained on the mean embedding of whole clips;
- MFCC statistics (mean and standard deviation of 20 MFCCs) + logistic regression, trained on the
  3-s segments of whole clips (the input of every segment model of the course).
Prints the accuracy of each padding (with its 95 % interval), which ``course_utils.audio.SHORT_CLIP_PADDING``
follows, and rewrites the README's row of this script (``--no-readme`` leaves it).

Run: .venv/bin/python benchmarks/bench_short_clips.py [--no-readme]
"""

from __future__ import annotations

import sys
import time

import librosa
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import unseen_artists
from course_utils import audio, embeddings
from course_utils.embeddings import musicnn

LENGTHS = (1.5, 2.0, 2.6)
STARTS = (5.0, 13.0, 21.0)
SR = 22050
WINDOW = 3.0
MODELS = ("musicnn", "MFCC statistics")
SOURCES = {"clips": "three places of each unseen clip", "excerpts": "the start of each unseen excerpt long enough"}


def classifier():
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))


def mfcc_stats(y: np.ndarray) -> np.ndarray:
    m = librosa.feature.mfcc(y=y, sr=SR, n_mfcc=20)
    return np.concatenate([m.mean(axis=1), m.std(axis=1)])


def musicnn_vector(y16: np.ndarray) -> np.ndarray:
    return musicnn.musicnn_embeddings(y16, musicnn.SR).embeddings.mean(axis=0)


def pieces(y: np.ndarray, sr: int, seconds: float, part: str) -> list[np.ndarray]:
    """The excerpts of ``seconds`` cut from one test file: three of a clip, the start of an excerpt (none if shorter)."""
    size = int(round(seconds * sr))
    starts = STARTS if part == "clips" else (0.0,) * (len(y) >= size)
    return [y[int(s * sr): int(s * sr) + size] for s in starts]


def trained_models(mini) -> dict:
    """Both models, trained on gtzan-mini's whole clips."""
    labels = mini["label"].to_numpy()
    X_musicnn = np.stack([f.embeddings.mean(axis=0) for f in embeddings.dataset_frames(mini, model="MSD_musicnn")])
    segments = [np.stack([mfcc_stats(s) for s in audio.segment(audio.load_audio(path, sr=SR), sr=SR, seconds=WINDOW)])
                for path in mini["path"]]
    return {"musicnn": classifier().fit(X_musicnn, labels),
            "MFCC statistics": classifier().fit(np.concatenate(segments),
                                                np.repeat(labels, [len(s) for s in segments]))}


def features(name: str, piece: np.ndarray, mode: str) -> np.ndarray:
    if name == "musicnn":
        return musicnn_vector(audio.pad_to_length(piece, size=int(round(WINDOW * musicnn.SR)), mode=mode))
    return mfcc_stats(audio.pad_to_length(piece, size=int(round(WINDOW * SR)), mode=mode))


def measure(models: dict, tested) -> dict:
    """``{(part, seconds, model, padding): Tally}`` over every test file."""
    counts = {}
    for row in tested.itertuples():
        clip = {"musicnn": audio.load_audio(row.path, sr=musicnn.SR), "MFCC statistics": audio.load_audio(row.path, sr=SR)}
        for seconds in LENGTHS:
            for name, model in models.items():
                cut = pieces(clip[name], musicnn.SR if name == "musicnn" else SR, seconds, row.part)
                for mode in audio.PADDINGS:
                    right = (int(np.sum(model.predict(np.stack([features(name, p, mode) for p in cut])) == row.label))
                             if cut else 0)
                    correct, n = counts.get((row.part, seconds, name, mode), (0, 0))
                    counts[(row.part, seconds, name, mode)] = (correct + right, n + len(cut))
    return {key: unseen_artists.Tally(*value) for key, value in counts.items()}


def readme_cells(tracks, results: dict) -> list[str]:
    """The README row: what, measured on, figures."""
    def series(part: str, name: str, mode: str) -> str:
        return " / ".join(results[(part, s, name, mode)].brief() for s in LENGTHS)

    figures = "; ".join(
        f"{SOURCES[part]} (n = {' / '.join(str(results[(part, s, MODELS[0], 'loop')].n) for s in LENGTHS)}): "
        + ", ".join(f"{name} + LR {series(part, name, 'loop')} looped, {series(part, name, 'silence')} with silence"
                    for name in MODELS)
        for part in unseen_artists.TEST_PARTS)
    return [f"short clips padded to 3 s, real excerpts of {' / '.join(str(s) for s in LENGTHS)} s, looped vs silence "
            f"({unseen_artists.PROTOCOL})", unseen_artists.measured_on(tracks), figures]


def main(argv: list[str]) -> int:
    if not unseen_artists.available():
        print("skipped: ../shared/data/gtzan-mini or gtzan-artists is not here")
        return 0
    started = time.perf_counter()
    tracks = unseen_artists.protocol_tracks()
    unseen_artists.unseen_split(tracks)  # checks that no artist is on both sides
    print(unseen_artists.describe(tracks))
    models = trained_models(tracks[tracks["part"] == "mini"].reset_index(drop=True))
    results = measure(models, tracks[tracks["part"] != "mini"])
    print(f"{'excerpts of':>32} {'excerpt':>8} {'model':>16} {'loop':>24} {'silence':>24}")
    for part in unseen_artists.TEST_PARTS:
        for seconds in LENGTHS:
            for name in MODELS:
                print(f"{SOURCES[part]:>32} {seconds:>7.1f}s {name:>16} {str(results[(part, seconds, name, 'loop')]):>24} "
                      f"{str(results[(part, seconds, name, 'silence')]):>24}")
    print(f"course default: {audio.SHORT_CLIP_PADDING!r}; {time.perf_counter() - started:.0f} s in all")
    if "--no-readme" not in argv:
        unseen_artists.replace_row("bench_short_clips.py", readme_cells(tracks, results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
