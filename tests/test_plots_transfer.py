"""The figures of chapters 10 and 11: picture grids, backbone sizes, scores with intervals, speed against accuracy."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.container import ErrorbarContainer
import pytest

from course_utils import plots
from course_utils.errors import ConfigError


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_pictures_grid_has_one_titled_axis_per_image():
    fig = plots.pictures(np.random.default_rng(0).random((3, 8, 8, 3)), titles=["a", "b", "c"], ncols=2, title="t")
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["a", "b", "c"]
    with pytest.raises(ConfigError, match="titles"):
        plots.pictures(np.zeros((2, 4, 4, 3)), titles=["a"])
    with pytest.raises(ConfigError, match="shape"):
        plots.pictures(np.zeros((4, 4, 3)))


def test_backbone_sizes_labels_every_backbone():
    from course_utils.models import transfer

    table = transfer.backbone_table()
    ax = plots.backbone_sizes(table)
    assert {t.get_text() for t in ax.texts} == set(table["backbone"]) and ax.get_yscale() == "log"
    with pytest.raises(ConfigError, match="depth"):
        plots.backbone_sizes(table.drop(columns="depth"))


def test_model_scores_draws_intervals_in_table_order():
    """Asymmetric intervals: each error bar must run from its row's low to its row's high, at its bar."""
    table = pd.DataFrame({"model": ["a", "b"], "accuracy": [0.5, 0.8], "low": [0.3, 0.75], "high": [0.55, 0.95]})
    ax = plots.model_scores(table)
    heights = {t.get_text(): t.get_position()[1] for t in ax.get_yticklabels()}
    assert heights["a"] > heights["b"]  # the first row on top
    assert [round(p.get_width(), 2) for p in ax.patches] == [0.5, 0.8]
    (errorbar,) = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    (whiskers,) = errorbar.lines[2]  # one line segment per bar, from low to high
    drawn = {round(y0, 6): (x0, x1) for (x0, y0), (x1, y1) in whiskers.get_segments()}
    for row in table.itertuples():
        assert drawn[round(heights[row.model], 6)] == pytest.approx((row.low, row.high))
    with pytest.raises(ConfigError, match="low"):
        plots.model_scores(table.drop(columns="low"))


def test_speed_accuracy_labels_points_on_a_log_axis():
    table = pd.DataFrame({"backbone": ["x", "y"], "ms per image": [2.0, 40.0], "track accuracy": [0.6, 0.7]})
    ax = plots.speed_accuracy(table, speed="ms per image")
    assert ax.get_xscale() == "log" and {t.get_text() for t in ax.texts} == {"x", "y"}
    with pytest.raises(ConfigError, match="seconds"):
        plots.speed_accuracy(table, speed="seconds")


def test_speed_accuracy_moves_crowded_labels_apart():
    names = ["logreg, handcrafted", "SVM, handcrafted", "XGBoost, handcrafted", "CNN, MFCC", "LSTM, MFCC"]
    table = pd.DataFrame({"backbone": names, "ms per image": [1.0, 1.05, 1.1, 1.0, 1.08],
                          "track accuracy": [0.50, 0.51, 0.50, 0.52, 0.51]})
    ax = plots.speed_accuracy(table, speed="ms per image")
    renderer = ax.figure.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts if t.get_text() in names]
    assert len(boxes) == len(names)
    overlaps = [(i, j) for i in range(len(boxes)) for j in range(i + 1, len(boxes)) if boxes[i].overlaps(boxes[j])]
    assert not overlaps
