"""course_utils.plots: spectrogram, scalogram and feature-distribution figures have the right axes."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import soundfile as sf  # noqa: E402

from course_utils import plots  # noqa: E402
from course_utils.errors import ConfigError  # noqa: E402

SR = 22050


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def colorbar_label(ax) -> str:
    others = [a for a in ax.figure.axes if a is not ax]
    return others[0].get_ylabel() if others else ""


@pytest.mark.parametrize("sr", [8000, 16000, 22050])
def test_listen_embeds_a_short_mp3_at_the_clip_level(sr, tmp_path):
    t = np.arange(10 * sr) / sr
    y = (0.05 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)  # a quiet tone: -29 dBFS
    player = plots.listen(y, sr=sr, seconds=3.0, offset=1.0)
    assert player.mimetype == "audio/mpeg" and len(player.data) < 3 * 16_000  # well under 16 kB a second
    (tmp_path / "x.mp3").write_bytes(player.data)
    decoded, rate = sf.read(tmp_path / "x.mp3", dtype="float32")
    assert rate == sr and abs(len(decoded) - 3 * sr) < 0.1 * sr  # the encoder adds a few padding frames
    assert np.sqrt(np.mean(decoded ** 2)) == pytest.approx(0.05 / np.sqrt(2), rel=0.1)  # not normalised


def test_listen_plays_stereo_and_accepts_a_whole_float_rate():
    assert plots.listen(np.zeros((2, 22050), dtype=np.float32), sr=22050.0).mimetype == "audio/mpeg"


@pytest.mark.parametrize("y,sr,offset,match", [
    (np.zeros(44100), 44000, 0.0, "MP3"),
    (np.zeros(22050), 22050.5, 0.0, "sr must be"),
    (np.full(22050, 3000, dtype=np.int16), 22050, 0.0, "float samples"),
    (np.zeros((22050, 2)), 22050, 0.0, "channels"),
    (np.array([0.1] * 100 + [np.nan] + [0.1] * 22050), 22050, 0.0, "NaN"),  # would abort the MP3 encoder
    (np.zeros(22050), 22050, 2.0, "past the end"),
])
def test_listen_names_what_it_cannot_play(y, sr, offset, match):
    with pytest.raises(ConfigError, match=match):
        plots.listen(y, sr=sr, offset=offset)


@pytest.mark.parametrize("y_axis,ylabel", [("linear", "frequency (Hz)"), ("log", "frequency (Hz)"),
                                           ("mel", "frequency (Hz)"), (None, "coefficient"),
                                           ("chroma", "pitch class")])
def test_spectrogram_axes_and_colour_bar(y_axis, ylabel):
    rows = {"linear": 1025, "log": 1025, "mel": 128, None: 20, "chroma": 12}[y_axis]
    S_db = np.random.default_rng(0).uniform(-80, 0, (rows, 87))
    ax = plots.spectrogram(S_db, sr=SR, hop_length=512, y_axis=y_axis, title="t")
    assert ax.get_xlabel() == "time (s)" and ax.get_ylabel() == ylabel and ax.get_title() == "t"
    assert ax.get_xlim()[1] == pytest.approx(87 * 512 / SR, rel=0.02)  # the frames span the clip's seconds
    assert colorbar_label(ax) == "dB"
    if y_axis in ("linear", "mel"):
        assert ax.get_ylim()[1] == pytest.approx(SR / 2, rel=0.02)  # mel: to the top band's edge
    if y_axis == "log":
        assert ax.get_yscale() == "symlog"
    if y_axis is None:
        assert [t.get_text() for t in ax.get_yticklabels()][:3] == ["1", "3", "5"]


def test_spectrogram_on_given_axes_without_colour_bar_and_bad_shape():
    fig, axes = plots.axes_grid(2, ncols=2)
    assert plots.spectrogram(np.zeros((12, 10)), sr=SR, ax=axes[1], colorbar=None, y_axis=None) is axes[1]
    assert len(fig.axes) == 2
    with pytest.raises(ConfigError, match="bins, frames"):
        plots.spectrogram(np.zeros(10), sr=SR)


def test_scalogram_has_a_log_frequency_axis_in_hz():
    freqs = np.geomspace(40, 8000, 32)
    ax = plots.scalogram(np.zeros((32, 44)), freqs=freqs, sr=SR, hop_length=512)
    assert ax.get_yscale() == "log" and ax.get_ylabel() == "frequency (Hz)" and ax.get_xlabel() == "time (s)"
    assert ax.get_ylim()[0] < 40 < 8000 < ax.get_ylim()[1]
    assert colorbar_label(ax) == "dB"
    with pytest.raises(ConfigError, match="one row per frequency"):
        plots.scalogram(np.zeros((31, 44)), freqs=freqs, sr=SR)


@pytest.mark.parametrize("kind", ["box", "violin"])
def test_feature_distributions_one_panel_per_feature(kind):
    rng = np.random.default_rng(0)
    table = pd.DataFrame({"label": np.repeat(["blues", "metal", "pop"], 5),
                          "rms_mean": rng.random(15), "tempo": rng.uniform(60, 180, 15)})
    fig = plots.feature_distributions(table, ["rms_mean", "tempo"], kind=kind, ncols=2)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["rms_mean", "tempo"]
    assert [t.get_text() for t in visible[0].get_yticklabels()] == ["blues", "metal", "pop"]
    assert visible[0].yaxis_inverted()  # the first genre on top


def test_feature_distributions_rejects_unknown_columns_and_kinds():
    table = pd.DataFrame({"label": ["a", "b"], "x": [1.0, 2.0]})
    with pytest.raises(ConfigError, match="no column"):
        plots.feature_distributions(table, ["y"])
    with pytest.raises(ConfigError, match="kind"):
        plots.feature_distributions(table, ["x"], kind="strip")


GENRES = ["blues", "classical", "country", "disco", "hiphop", "jazz", "metal", "pop", "reggae", "rock"]


def confusion_of(n: int, *, largest: int = 100) -> pd.DataFrame:
    labels = GENRES[:n] if n <= len(GENRES) else [f"genre {k}" for k in range(n)]
    counts = np.random.default_rng(n).integers(0, 30, (n, n))
    counts[0, 0] = largest  # the widest count, and a share of 1.00 in a row of its own
    counts[0, 1:] = 0
    return pd.DataFrame(counts, index=labels, columns=labels)


def on_page_font(ax, text) -> float:
    """A text's size in points as the book shows it, once a wide figure is scaled to the page."""
    return text.get_fontsize() * min(1.0, plots.PAGE_WIDTH / ax.figure.get_figwidth())


def two_panels():
    """Chapter 7's layout: the normalised and the raw matrix side by side on a 12-in figure."""
    _, axes = plots.axes_grid(2, ncols=2, width=12, row_height=5, sharex=False)
    return axes


@pytest.mark.parametrize("n,layout", [(2, "own figure"), (4, "own figure"), (10, "own figure"),
                                      (20, "own figure"), (4, "two panels"), (10, "two panels")])
def test_confusion_matrix_numbers_fit_their_cells_and_are_legible_on_the_page(n, layout):
    # chapter 7 shows test tracks: fewer than 100 per genre even on all of GTZAN
    confusion = confusion_of(n, largest=99 if layout == "two panels" else 100)
    axes = two_panels() if layout == "two panels" else [None, None]
    drawn = [plots.confusion_matrix(confusion, normalize=normalize, ax=ax)
             for ax, normalize in zip(axes, (True, False))]
    for ax, widest in zip(drawn, ("1", str(confusion.iloc[0, 0]))):
        assert ax.figure.get_figwidth() <= plots.PAGE_WIDTH or layout == "two panels"
        ax.figure.draw_without_rendering()
        renderer = ax.figure.canvas.get_renderer()
        box = ax.get_window_extent(renderer)
        assert widest in {t.get_text() for t in ax.texts}  # a perfect row, the largest count
        for text in ax.texts:
            extent = text.get_window_extent(renderer)
            assert extent.width < box.width / n and extent.height < box.height / n, text.get_text()
            assert on_page_font(ax, text) >= plots.PAGE_FONT - 1e-9


def test_confusion_matrix_numbers_grow_with_their_cells():
    sizes = [plots.confusion_matrix(confusion_of(n)).texts[0].get_fontsize() for n in (4, 10, 20)]
    assert sizes[0] >= sizes[1] > sizes[2]


def test_confusion_matrix_rejects_a_matrix_that_is_not_square():
    with pytest.raises(ConfigError, match="square"):
        plots.confusion_matrix(pd.DataFrame(np.zeros((2, 3))))


def test_spectrogram_names_its_rows_when_asked():
    ax = plots.spectrogram(np.zeros((64, 40)), sr=SR, y_axis=None, ylabel="mel bands (2 per row)")
    assert ax.get_ylabel() == "mel bands (2 per row)"
