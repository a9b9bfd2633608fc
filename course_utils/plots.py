"""Figures with proper axes (time in seconds, frequency in Hz) and short audio players.

Each function draws on ``ax`` when given one and returns the axes (or figure) it drew on.
Used in: every chapter.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import soundfile as sf
from IPython.display import Audio

from course_utils.errors import ConfigError
from course_utils.features.checks import check_sr

PLAYER_SECONDS = 3.0
MP3_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)
PAGE_WIDTH = 7.0
"""Inches (at the inline backend's 100 dpi) that the book's content column shows at full size; a
wider figure is scaled down to fit, and its text with it."""
PAGE_FONT = 7.5
"""Smallest font size, in points as seen on the page after that scaling, of text a reader must read."""


def axes_grid(n: int, *, ncols: int = 2, width: float = 11.0, row_height: float = 2.0,
              sharex: bool = True, sharey: bool = False):
    """A figure with ``n`` axes in ``ncols`` columns; returns ``(fig, axes)`` with ``axes`` flat.

    Axes beyond ``n`` are hidden.
    """
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, row_height * nrows), sharex=sharex,
                             sharey=sharey, squeeze=False, layout="constrained")
    flat = axes.ravel()
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def waveform(y: np.ndarray, *, sr: int, ax=None, title: str | None = None, offset: float = 0.0,
             markers: bool = False):
    """Plot a mono signal against time in seconds.

    Parameters
    ----------
    y : np.ndarray, shape (n,)
    sr : int
        Sample rate of ``y``.
    offset : float
        Time in seconds of the first sample (for excerpts).
    markers : bool
        Draw each sample as a dot (useful when zoomed in to a few milliseconds).
    """
    if y.ndim != 1:
        raise ConfigError(f"waveform expects a mono signal of shape (n,), got {y.shape}")
    ax = ax or plt.subplots(figsize=(10, 2.5), layout="constrained")[1]
    t = offset + np.arange(len(y)) / sr
    ax.plot(t, y, lw=0.6, marker="." if markers else None, ms=4)
    ax.set(xlabel="time (s)", ylabel="amplitude", xlim=(t[0], t[-1]) if len(t) > 1 else None)
    if title:
        ax.set_title(title)
    return ax


def listen(y: np.ndarray, *, sr: int, seconds: float = PLAYER_SECONDS, offset: float = 0.0) -> Audio:
    """An audio player for a short excerpt, embedded as MP3 so that rendered pages stay light.

    A 3-s excerpt adds about 20 kB to a page (as 16-bit WAV it would add about 180 kB). The
    excerpt keeps its level: a quiet recording sounds quiet.

    Parameters
    ----------
    y : np.ndarray, float, shape (n,) or (channels, n) with 1 or 2 channels
        Finite samples in [-1, 1] (louder ones are clipped).
    sr : int
        Sample rate in Hz (8000 to 48000, the rates MP3 knows).
    seconds, offset : float
        Length and start of the excerpt.
    """
    y = np.asarray(y)
    if not np.issubdtype(y.dtype, np.floating):
        raise ConfigError(f"listen expects float samples in [-1, 1], got dtype {y.dtype} "
                          "(divide 16-bit samples by 32768)")
    if not (y.ndim == 1 or (y.ndim == 2 and y.shape[0] in (1, 2))):
        raise ConfigError(f"listen expects shape (n,) or (channels, n) with 1 or 2 channels, got {y.shape}")
    sr = check_sr(sr)
    if sr not in MP3_RATES:
        raise ConfigError(f"sr={sr} cannot be played as MP3; resample to one of {MP3_RATES} Hz")
    start = int(round(offset * sr))
    excerpt = y[..., start:start + int(round(seconds * sr))].astype(np.float32)
    if excerpt.shape[-1] == 0:
        raise ConfigError(f"offset {offset} s is past the end of the signal ({y.shape[-1] / sr:.2f} s)")
    if not np.isfinite(excerpt).all():
        raise ConfigError("the excerpt to play holds NaN or infinite samples")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "excerpt.mp3"
        sf.write(path, np.clip(excerpt, -1.0, 1.0).T, sr, format="MP3")
        return Audio(filename=str(path))  # reads the file now; its name gives the type audio/mpeg


# --- Evaluation figures (book/06_evaluation_and_splits, book/07_classical_ml and later chapters) ---

def confusion_matrix(confusion, *, normalize: bool = True, ax=None, title: str | None = None):
    """Heat map of a confusion matrix with each cell's value written in it.

    Parameters
    ----------
    confusion : pd.DataFrame, shape (n_labels, n_labels)
        Counts, rows true label, columns predicted (:func:`course_utils.evaluate.confusion_matrix`).
    normalize : bool
        Show each row as shares of the true genre (the diagonal is the recall); else the counts.
    """
    counts = confusion.to_numpy(dtype=float)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1]:
        raise ConfigError(f"expected a square confusion matrix, got shape {counts.shape}")
    rows = counts.sum(axis=1, keepdims=True)
    values = np.divide(counts, rows, out=np.zeros_like(counts), where=rows > 0) if normalize else counts
    n = len(counts)
    width = min(PAGE_WIDTH, 1.5 + 0.55 * n)  # the labels and the colour bar take about 1.5 in
    ax = ax or plt.subplots(figsize=(width, 0.85 * width), layout="constrained")[1]
    image = ax.imshow(values, cmap="Blues", vmin=0, vmax=1 if normalize else max(values.max(), 1))
    ax.set_xticks(range(n), [str(c) for c in confusion.columns], rotation=45, ha="right")
    ax.set_yticks(range(n), [str(i) for i in confusion.index])
    ax.set(xlabel="predicted", ylabel="true", title=title or ("share of each true genre" if normalize else "counts"))
    ax.figure.colorbar(image, ax=ax, shrink=0.8)
    texts = {(i, j): f"{value:.0f}" if not normalize else
             "1" if f"{value:.2f}" == "1.00" else f"{value:.2f}".lstrip("0")
             for (i, j), value in np.ndenumerate(values) if value}
    # the same size for "1" as for ".83" or "100": sized for three characters at least
    fontsize = cell_font_size(ax, n, chars=max([3, *map(len, texts.values())]))
    for (i, j), text in texts.items():
        ax.text(j, i, text, ha="center", va="center", fontsize=fontsize,
                color="white" if values[i, j] > 0.6 * image.get_clim()[1] else "black")
    return ax


def cell_font_size(ax, n: int, *, chars: int) -> float:
    """Font size (points) for text of up to ``chars`` characters in the cells of an ``n`` x ``n`` grid
    drawn on ``ax``: as large as fits a cell once the figure is laid out, and never below what stays
    legible (:data:`PAGE_FONT`) when the book scales the figure down to :data:`PAGE_WIDTH`.
    """
    figure = ax.figure
    figure.draw_without_rendering()  # lay the figure out, so that the axes have their final size
    box = ax.get_window_extent()
    cell = min(box.width, box.height) / n * 72 / figure.dpi
    fits = cell / (0.65 * chars)  # a digit is about 0.6 em wide; keep a margin
    shrink = min(1.0, PAGE_WIDTH / figure.get_figwidth())
    return float(np.clip(fits, PAGE_FONT / shrink, 2 * PAGE_FONT / shrink))


def per_class_f1(f1, *, ax=None, title: str | None = "F1 per genre"):
    """Horizontal bars of each genre's F1: a Series (one model) or a DataFrame (a column per model)."""
    table = f1.to_frame("F1") if getattr(f1, "ndim", 2) == 1 else f1
    n_labels, n_models = table.shape
    ax = ax or plt.subplots(figsize=(6, 0.9 + 0.3 * n_labels * max(1, n_models / 2)), layout="constrained")[1]
    height = 0.8 / n_models
    for k, column in enumerate(table.columns):
        ax.barh(np.arange(n_labels) + (k - (n_models - 1) / 2) * height, table[column], height=height,
                label=str(column))
    ax.set_yticks(range(n_labels), [str(i) for i in table.index])
    ax.invert_yaxis()
    ax.set(xlim=(0, 1), xlabel="F1", title=title)
    if n_models > 1:
        ax.legend(fontsize=8, loc="lower right")
    return ax


def training_curves(history, *, metrics=("loss", "accuracy"), axes=None):
    """Training and validation curves per epoch, one panel per metric.

    Parameters
    ----------
    history : dict, Keras ``History`` or pd.DataFrame
        Per-epoch values: ``loss``, ``val_loss``, ``accuracy``, ``val_accuracy``, ...
    metrics : sequence of str
        Metrics to draw (those absent from ``history`` are skipped).
    """
    values = dict(getattr(history, "history", history))
    shown = [m for m in metrics if m in values]
    if not shown:
        raise ConfigError(f"history has none of {list(metrics)}; it holds {sorted(values)}")
    if axes is None:
        _, axes = axes_grid(len(shown), ncols=len(shown), width=5.0 * len(shown), row_height=3.0, sharex=True)
    for ax, metric in zip(axes, shown):
        epochs = np.arange(1, len(values[metric]) + 1)
        ax.plot(epochs, values[metric], marker="o", ms=3, label="training")
        if f"val_{metric}" in values:
            ax.plot(epochs, values[f"val_{metric}"], marker="o", ms=3, label="validation")
        ax.set(xlabel="epoch", ylabel=metric, title=metric)
        ax.legend(fontsize=8)
    return axes


def genre_similarity(similarity, *, kind: str = "dendrogram", ax=None, title: str | None = None):
    """Which genres a model confuses: a dendrogram (confused genres merge first) or a heat map.

    Parameters
    ----------
    similarity : pd.DataFrame, shape (n_labels, n_labels)
        :func:`course_utils.evaluate.genre_similarity`.
    kind : {"dendrogram", "heatmap"}
    """
    from scipy.cluster import hierarchy

    from course_utils.evaluate import similarity_linkage

    labels = [str(label) for label in similarity.index]
    if kind == "dendrogram":
        ax = ax or plt.subplots(figsize=(7, 3), layout="constrained")[1]
        hierarchy.dendrogram(similarity_linkage(similarity), labels=labels, ax=ax, color_threshold=0,
                             above_threshold_color="tab:blue")
        ax.set(ylabel="1 - similarity", title=title or "genres merged by how often they are confused")
        ax.tick_params(axis="x", rotation=45)
    elif kind == "heatmap":
        n = len(labels)
        ax = ax or plt.subplots(figsize=(1.0 + 0.55 * n, 0.6 + 0.5 * n), layout="constrained")[1]
        image = ax.imshow(similarity.to_numpy(dtype=float), cmap="Oranges", vmin=0)
        ax.set_xticks(range(n), labels, rotation=45, ha="right")
        ax.set_yticks(range(n), labels)
        ax.set_title(title or "how often two genres are confused")
        ax.figure.colorbar(image, ax=ax, shrink=0.8)
    else:
        raise ConfigError(f"kind must be 'dendrogram' or 'heatmap', got {kind!r}")
    return ax


def topk_timeline(scores: np.ndarray, *, times: np.ndarray, labels, k: int = 5, ax=None,
                  title: str | None = None, colorbar: bool = True):
    """Heat map over time of the ``k`` classes (or tags) with the highest mean score.

    Parameters
    ----------
    scores : np.ndarray, shape (n_frames, n_classes)
        Class probabilities per frame, e.g. YAMNet's scores or a musicnn taggram.
    times : np.ndarray, shape (n_frames,)
        Start of each frame in seconds.
    labels : sequence of str
        The ``n_classes`` class names.
    """
    scores = np.asarray(scores)
    if scores.ndim != 2 or scores.shape[1] != len(labels) or len(times) != len(scores):
        raise ConfigError(f"scores {scores.shape} must be (len(times)={len(times)}, len(labels)={len(labels)})")
    top = np.argsort(-scores.mean(axis=0), kind="stable")[:k]
    ax = ax or plt.subplots(figsize=(10, 0.35 * k + 1.2), layout="constrained")[1]
    hop = times[1] - times[0] if len(times) > 1 else 1.0
    image = ax.imshow(scores[:, top].T, aspect="auto", origin="upper", cmap="magma", vmin=0, vmax=1,
                      extent=(times[0], times[-1] + hop, k - 0.5, -0.5), interpolation="nearest")
    ax.set_yticks(range(k), [labels[i] for i in top])
    ax.set_xlabel("time (s)")
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label="score", pad=0.01)
    if title:
        ax.set_title(title)
    return ax


def embedding_map(points: np.ndarray, labels, *, ax=None, title: str | None = None, legend: bool = True):
    """Scatter a 2-D map of embeddings (e.g. from PCA or t-SNE), one colour per label.

    Parameters
    ----------
    points : np.ndarray, shape (n, 2)
    labels : sequence of str, length n
    """
    points, labels = np.asarray(points), np.asarray(labels)
    if points.ndim != 2 or points.shape[1] != 2 or len(points) != len(labels):
        raise ConfigError(f"points must be (n, 2) with one label each; got {points.shape} and {len(labels)} labels")
    ax = ax or plt.subplots(figsize=(7, 5.5), layout="constrained")[1]
    colours = plt.get_cmap("tab10" if len(set(labels)) <= 10 else "tab20")
    for i, label in enumerate(sorted(set(labels))):
        chosen = labels == label
        ax.scatter(points[chosen, 0], points[chosen, 1], s=18, color=colours(i), label=label, alpha=0.85)
    if legend:
        ax.legend(fontsize="small", markerscale=1.2, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    ax.set(xticks=[], yticks=[])
    if title:
        ax.set_title(title)
    return ax


# --- Spectrograms, scalograms and feature figures (book/02_spectrograms, 03_wavelets, 04_mfcc_and_features) ---

def spectrogram(S_db: np.ndarray, *, sr: int, hop_length: int = 512, y_axis: str | None = "linear",
                ax=None, title: str | None = None, colorbar: str | None = "dB", cmap: str = "magma",
                ylabel: str | None = None, **specshow_options):
    """Draw a spectrogram-like matrix: time in seconds across, frequency in Hz up, a colour bar.

    Parameters
    ----------
    S_db : np.ndarray, shape (bins, frames)
        Values to colour, usually dB (``librosa.amplitude_to_db`` / ``power_to_db``).
    y_axis : str or None
        How rows map to frequency, as in ``librosa.display.specshow``: ``"linear"`` or ``"log"``
        (STFT bins), ``"mel"`` (mel bands; pass ``fmax`` if not ``sr / 2``), ``"cqt_hz"`` (CQT bins;
        pass ``fmin``), ``"chroma"`` (pitch classes); ``None`` numbers the rows from 1 (e.g. MFCCs).
    colorbar : str or None
        Label of the colour bar (``None``: no colour bar).
    ylabel : str, optional
        Label of the vertical axis (default: from ``y_axis``; "coefficient" when it is ``None``).
    **specshow_options
        Passed on (``fmin``, ``fmax``, ``n_fft``, ``bins_per_octave``, ``vmin``, ``vmax``, ...).

    Returns
    -------
    matplotlib.axes.Axes
    """
    import librosa.display

    S_db = np.asarray(S_db)
    if S_db.ndim != 2:
        raise ConfigError(f"spectrogram expects a matrix of shape (bins, frames), got {S_db.shape}")
    ax = ax or plt.subplots(figsize=(10, 3.2), layout="constrained")[1]
    mesh = librosa.display.specshow(S_db, sr=sr, hop_length=hop_length, x_axis="time", y_axis=y_axis, ax=ax,
                                    cmap=cmap, **specshow_options)
    ylabel = ylabel or {None: "coefficient", "chroma": "pitch class"}.get(y_axis, "frequency (Hz)")
    ax.set(xlabel="time (s)", ylabel=ylabel)
    if y_axis is None:  # number the rows from 1, as the feature table names mfcc1 ... mfcc20
        rows = np.arange(0, len(S_db), max(1, len(S_db) // 10))
        ax.set_yticks(rows, [str(r + 1) for r in rows])
    if colorbar:
        ax.figure.colorbar(mesh, ax=ax, label=colorbar, pad=0.01)
    if title:
        ax.set_title(title)
    return ax


def scalogram(S_db: np.ndarray, *, freqs: np.ndarray, sr: int, hop_length: int = 512, ax=None,
              title: str | None = None, colorbar: str | None = "dB", cmap: str = "magma"):
    """Draw a scalogram (:func:`course_utils.wavelets.scalogram_db`): time in seconds, frequency in Hz
    on a logarithmic axis, a colour bar.

    Parameters
    ----------
    S_db : np.ndarray, shape (n_freqs, frames)
    freqs : np.ndarray, shape (n_freqs,)
        Analysis frequency of each row in Hz.

    Returns
    -------
    matplotlib.axes.Axes
    """
    S_db, freqs = np.asarray(S_db), np.asarray(freqs)
    if S_db.ndim != 2 or len(freqs) != S_db.shape[0]:
        raise ConfigError(f"S_db {S_db.shape} must have one row per frequency ({len(freqs)})")
    ax = ax or plt.subplots(figsize=(10, 3.2), layout="constrained")[1]
    times = np.arange(S_db.shape[1]) * hop_length / sr
    mesh = ax.pcolormesh(times, freqs, S_db, shading="nearest", cmap=cmap)
    ax.set_yscale("log")
    ax.set(xlabel="time (s)", ylabel="frequency (Hz)")
    if colorbar:
        ax.figure.colorbar(mesh, ax=ax, label=colorbar, pad=0.01)
    if title:
        ax.set_title(title)
    return ax


def feature_distributions(table, columns, *, by: str = "label", kind: str = "box", ncols: int = 3,
                          row_height: float = 2.8):
    """One panel per feature: its distribution in each group (genre), as box or violin plots.

    Parameters
    ----------
    table : pd.DataFrame
        One row per track or segment (:func:`course_utils.features.feature_table`).
    columns : sequence of str
        Features to draw.
    by : str
        Column that holds the groups.
    kind : {"box", "violin"}

    Returns
    -------
    matplotlib.figure.Figure
    """
    if kind not in ("box", "violin"):
        raise ConfigError(f"kind must be 'box' or 'violin', got {kind!r}")
    missing = [c for c in [by, *columns] if c not in table.columns]
    if missing:
        raise ConfigError(f"the table has no column(s) {missing}")
    groups = sorted(table[by].unique())
    fig, axes = axes_grid(len(columns), ncols=ncols, sharex=False, sharey=True, row_height=row_height)
    for ax, column in zip(axes, columns):
        values = [table.loc[table[by] == group, column].to_numpy(dtype=float) for group in groups]
        if kind == "box":
            ax.boxplot(values, orientation="horizontal", widths=0.6, flierprops={"ms": 3})
        else:
            ax.violinplot(values, orientation="horizontal", showmedians=True)
        ax.set_title(column, fontsize="medium")
    axes[0].set_yticks(range(1, len(groups) + 1), groups)  # the y axes are shared
    axes[0].invert_yaxis()  # first group on top
    return fig


# --- Neural networks (book/08_cnn, book/09_recurrent) ---

def fit_curves(history, *, best_epoch: int | None = None, metrics=("loss", "accuracy"), axes=None):
    """:func:`training_curves` of one training run, with the epoch whose weights were kept marked.

    Parameters
    ----------
    history : pd.DataFrame
        ``FitResult.history`` (:func:`course_utils.train.fit`): one row per epoch.
    best_epoch : int, optional
        Epoch (from 1) to mark with a dashed line (``FitResult.best_epoch``).
    """
    axes = training_curves(history, metrics=metrics, axes=axes)
    if best_epoch is not None:
        for ax in axes:
            ax.axvline(best_epoch, color="grey", ls="--", lw=1, label=f"kept (epoch {best_epoch})")
            ax.legend(fontsize=8)
    return axes


def compare_curves(histories, *, metric: str = "val_loss", ax=None, title: str | None = None):
    """One line per training run of ``metric`` against the epoch (e.g. validation loss with and without augmentation).

    Parameters
    ----------
    histories : dict of str -> pd.DataFrame
        Run name -> ``FitResult.history``.
    """
    missing = [name for name, history in histories.items() if metric not in history]
    if missing:
        raise ConfigError(f"runs {missing} have no {metric!r} column")
    ax = ax or plt.subplots(figsize=(6, 3.2), layout="constrained")[1]
    for name, history in histories.items():
        ax.plot(np.arange(1, len(history) + 1), history[metric].to_numpy(), marker="o", ms=3, label=str(name))
    ax.set(xlabel="epoch", ylabel=metric, title=title or metric)
    ax.legend(fontsize=8)
    return ax


def conv_filters(kernels: np.ndarray, *, ncols: int = 8, title: str | None = None):
    """The 2-D kernels of a first convolution layer as small images (red positive, blue negative).

    Parameters
    ----------
    kernels : np.ndarray, shape (rows, cols, 1, n_filters)
        ``model.get_layer("conv1").get_weights()[0]`` of a model with one input channel.

    Returns
    -------
    matplotlib.figure.Figure
    """
    kernels = np.asarray(kernels)
    if kernels.ndim != 4 or kernels.shape[2] != 1:
        raise ConfigError(f"expected kernels of shape (rows, cols, 1, n_filters), got {kernels.shape}")
    n = kernels.shape[3]
    fig, axes = axes_grid(n, ncols=min(ncols, n), width=1.1 * min(ncols, n), row_height=1.2, sharex=False)
    limit = float(np.abs(kernels).max()) or 1.0
    for k, ax in enumerate(axes):
        ax.imshow(kernels[:, :, 0, k], cmap="RdBu_r", vmin=-limit, vmax=limit, origin="lower")
        ax.set(xticks=[], yticks=[], title=f"{k + 1}")
    fig.supxlabel("frames (time)", fontsize="small")
    fig.supylabel("bands", fontsize="small")
    if title:
        fig.suptitle(title)
    return fig


def saliency_map(S_db: np.ndarray, saliency: np.ndarray, *, sr: int, hop_length: int = 512, y_axis: str = "mel",
                 title: str | None = None, axes=None):
    """A segment's spectrogram above, and below it where the model's answer is most sensitive (saliency).

    Parameters
    ----------
    S_db, saliency : np.ndarray, shape (bands, frames)
        The model's input and :func:`course_utils.models.inspect.saliency` of it.
    """
    S_db, saliency = np.asarray(S_db), np.asarray(saliency)
    if S_db.shape != saliency.shape or S_db.ndim != 2:
        raise ConfigError(f"S_db {S_db.shape} and saliency {saliency.shape} must be matrices of the same shape")
    if axes is None:
        _, axes = axes_grid(2, ncols=1, width=10, row_height=2.8)
    spectrogram(S_db, sr=sr, hop_length=hop_length, y_axis=y_axis, ax=axes[0], title=title)
    spectrogram(saliency / (saliency.max() or 1.0), sr=sr, hop_length=hop_length, y_axis=y_axis, ax=axes[1],
                colorbar="saliency (share of max)", cmap="viridis", title="saliency: |gradient| of the answer")
    return axes


def states_over_time(states: np.ndarray, probabilities: np.ndarray, *, classes, step_seconds: float,
                     highlight: str | None = None, axes=None):
    """An LSTM's hidden state after each step (heat map) and the class probabilities it would give then.

    Parameters
    ----------
    states : np.ndarray, shape (steps, units)
    probabilities : np.ndarray, shape (steps, n_classes)
        From :func:`course_utils.models.inspect.states_over_time`.
    classes : sequence of str
    step_seconds : float
        Audio per step, to label time in seconds.
    highlight : str, optional
        A class to draw thick (e.g. the true genre).
    """
    states, probabilities = np.asarray(states), np.asarray(probabilities)
    if states.ndim != 2 or probabilities.shape != (len(states), len(classes)):
        raise ConfigError(f"states {states.shape} and probabilities {probabilities.shape} must cover the same "
                          f"steps, with {len(classes)} classes")
    if axes is None:
        _, axes = axes_grid(2, ncols=1, width=10, row_height=2.6)
    end = len(states) * step_seconds
    limit = float(np.abs(states).max()) or 1.0
    image = axes[0].imshow(states.T, aspect="auto", origin="lower", cmap="RdBu_r", vmin=-limit, vmax=limit,
                           extent=(0, end, 0.5, states.shape[1] + 0.5), interpolation="nearest")
    axes[0].figure.colorbar(image, ax=axes[0], label="state value", pad=0.01)
    axes[0].set(ylabel="hidden unit", title="hidden state after each step")
    times = np.arange(1, len(states) + 1) * step_seconds
    for k, name in enumerate(classes):
        axes[1].plot(times, probabilities[:, k], lw=2.5 if name == highlight else 1,
                     label=str(name) if name == highlight or len(classes) <= 10 else None)
    axes[1].set(xlabel="time read so far (s)", ylabel="probability", ylim=(0, 1), xlim=(0, end),
                title="what the classifier would answer at each step")
    axes[1].legend(fontsize=7, ncol=2, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return axes


# --- Transfer learning and multimodal models (book/10_transfer_learning, book/11_multimodal) ---

def _require_columns(table, columns: set[str], *, hint: str = "") -> None:
    missing = columns - set(table.columns)
    if missing:
        raise ConfigError(f"table lacks columns {sorted(missing)}{hint}")


def pictures(images: np.ndarray, *, titles=None, ncols: int = 5, title: str | None = None):
    """A grid of images as a model sees them (e.g. one spectrogram picture per genre).

    Parameters
    ----------
    images : np.ndarray, shape (n, height, width, 3), values in [0, 1]
    titles : sequence of str, optional
        One per image.

    Returns
    -------
    matplotlib.figure.Figure
    """
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[-1] != 3 or not len(images):
        raise ConfigError(f"images must have shape (n, height, width, 3) with n >= 1, got {images.shape}")
    titles = list(titles) if titles is not None else [None] * len(images)
    if len(titles) != len(images):
        raise ConfigError(f"got {len(titles)} titles for {len(images)} images")
    ncols = min(ncols, len(images))
    fig, axes = axes_grid(len(images), ncols=ncols, width=2.2 * ncols, row_height=2.3, sharex=False)
    for ax, image, name in zip(axes, images, titles):
        ax.imshow(np.clip(image, 0, 1))
        ax.set(xticks=[], yticks=[], title=name)
    if title:
        fig.suptitle(title)
    return fig


def backbone_sizes(table, *, ax=None, title: str | None = "ImageNet backbones: depth and parameters"):
    """Parameters (log scale) against depth, one labelled point per backbone.

    Parameters
    ----------
    table : pd.DataFrame
        :func:`course_utils.models.transfer.backbone_table`: columns ``backbone``, ``depth``, ``parameters``.
    """
    _require_columns(table, {"backbone", "depth", "parameters"}, hint="; pass transfer.backbone_table()")
    ax = ax or plt.subplots(figsize=(6, 3.6), layout="constrained")[1]
    ax.scatter(table["depth"], table["parameters"] / 1e6, s=30)
    for row in table.itertuples():
        ax.annotate(row.backbone, (row.depth, row.parameters / 1e6), xytext=(4, 4), textcoords="offset points",
                    fontsize=8)
    ax.set(xscale="linear", yscale="log", xlabel="depth (layers with weights on the longest path)",
           ylabel="parameters (millions, log scale)", title=title)
    return ax


def model_scores(table, *, score: str = "accuracy", low: str = "low", high: str = "high", label: str = "model",
                 ax=None, title: str | None = None):
    """One horizontal bar per model: a test score with its interval, in the table's order (top first).

    Parameters
    ----------
    table : pd.DataFrame
        Columns ``label`` (the bar's name), ``score``, and the interval bounds ``low`` and ``high``.
    """
    _require_columns(table, {label, score, low, high})
    ax = ax or plt.subplots(figsize=(7, 0.45 * len(table) + 1.0), layout="constrained")[1]
    values = table[score].to_numpy(dtype=float)
    errors = np.vstack([values - table[low].to_numpy(dtype=float), table[high].to_numpy(dtype=float) - values])
    positions = np.arange(len(table))[::-1]
    ax.barh(positions, values, xerr=errors, color="tab:blue", alpha=0.8, capsize=3)
    ax.set_yticks(positions, table[label].astype(str))
    ax.set(xlim=(0, 1), xlabel=f"{score} (bars: 95 % interval)", title=title)
    return ax


def speed_accuracy(table, *, speed: str, score: str = "track accuracy", label: str = "backbone", ax=None,
                   title: str | None = None):
    """Score against time (log scale), one labelled point per model: up and to the left is better.

    Parameters
    ----------
    table : pd.DataFrame
        Columns ``label``, ``speed`` (seconds or milliseconds per item) and ``score``.
    """
    from adjustText import adjust_text

    _require_columns(table, {label, speed, score})
    ax = ax or plt.subplots(figsize=(6, 3.6), layout="constrained")[1]
    points = ax.scatter(table[speed], table[score], s=30)
    ax.set(xscale="log", xlabel=f"{speed} (log scale)", ylabel=score, ylim=(0, 1), title=title)
    texts = [ax.text(x, y, str(name), fontsize=8)
             for name, x, y in table[[label, speed, score]].itertuples(index=False)]
    if len(texts) > 1:  # move the labels apart (and off the points), with a line to their point when moved far
        adjust_text(texts, objects=points, ax=ax, arrowprops=dict(arrowstyle="-", color="0.5", lw=0.5))
    return ax


def score_heatmap(table, *, ax=None, title: str | None = None, label: str = "F1"):
    """Heat map of scores in [0, 1], one row per model and one column per genre, each value written in its cell.

    Parameters
    ----------
    table : pd.DataFrame, shape (n_models, n_genres)
        E.g. :attr:`course_utils.compare.Comparison.per_class_f1`.
    """
    values = table.to_numpy(dtype=float)
    if values.ndim != 2 or not values.size:
        raise ConfigError(f"expected a non-empty table of models by genres, got shape {values.shape}")
    n_rows, n_cols = values.shape
    ax = ax or plt.subplots(figsize=(PAGE_WIDTH, 1.2 + 0.38 * n_rows), layout="constrained")[1]
    image = ax.imshow(values, cmap="viridis", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(n_cols), [str(c) for c in table.columns], rotation=45, ha="right")
    ax.set_yticks(range(n_rows), [str(i) for i in table.index])
    ax.set(title=title)
    ax.figure.colorbar(image, ax=ax, shrink=0.8, label=label)
    fontsize = cell_font_size(ax, max(n_rows, n_cols), chars=3)
    for (i, j), value in np.ndenumerate(values):
        if np.isfinite(value):
            ax.text(j, i, f"{value:.2f}".lstrip("0") if value < 1 else "1", ha="center", va="center",
                    fontsize=fontsize, color="black" if value > 0.6 else "white")
    return ax
