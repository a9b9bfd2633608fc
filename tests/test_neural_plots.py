"""Figures of the neural chapters (course_utils.plots): what they draw and what they refuse."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from course_utils import plots
from course_utils.errors import ConfigError


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def history(n: int = 5, offset: float = 0.0) -> pd.DataFrame:
    epochs = np.arange(1, n + 1)
    return pd.DataFrame({"loss": 2 / epochs, "accuracy": 1 - 1 / (epochs + 1), "val_loss": 2 / epochs + offset,
                         "val_accuracy": 0.5 + 0 * epochs, "seconds": 1.0}, index=pd.Index(epochs, name="epoch"))


def test_fit_curves_mark_the_kept_epoch_on_every_panel():
    axes = plots.fit_curves(history(), best_epoch=3)
    assert len(axes) == 2
    for ax in axes:
        assert any(list(line.get_xdata()) == [3, 3] for line in ax.get_lines())
        assert "kept (epoch 3)" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_compare_curves_draws_one_line_per_run():
    ax = plots.compare_curves({"plain": history(), "augmented": history(7, 0.1)})
    assert [len(line.get_xdata()) for line in ax.get_lines()] == [5, 7]
    with pytest.raises(ConfigError, match="val_auc"):
        plots.compare_curves({"plain": history()}, metric="val_auc")


def test_conv_filters_draw_one_image_per_kernel():
    kernels = np.random.default_rng(0).normal(size=(3, 3, 1, 6))
    fig = plots.conv_filters(kernels, ncols=4)
    images = [ax.get_images()[0].get_array() for ax in fig.axes if ax.get_visible() and ax.get_images()]
    assert len(images) == 6 and np.allclose(images[5], kernels[:, :, 0, 5])
    with pytest.raises(ConfigError, match="rows, cols, 1, n_filters"):
        plots.conv_filters(np.zeros((3, 3, 2, 4)))


def test_saliency_map_needs_matching_shapes():
    S = np.random.default_rng(1).normal(size=(16, 40))
    axes = plots.saliency_map(S, np.abs(S), sr=22050)
    assert len(axes) == 2
    with pytest.raises(ConfigError, match="same shape"):
        plots.saliency_map(S, S[:, :-1], sr=22050)


def test_states_over_time_spans_the_steps_in_seconds():
    states, probabilities = np.zeros((8, 4)), np.full((8, 3), 1 / 3)
    axes = plots.states_over_time(states, probabilities, classes=["a", "b", "c"], step_seconds=0.5, highlight="b")
    assert axes[0].get_images()[0].get_extent()[:2] == [0, 4.0]
    widths = [line.get_linewidth() for line in axes[1].get_lines()]
    assert widths[1] > widths[0]
    with pytest.raises(ConfigError, match="same steps"):
        plots.states_over_time(states, probabilities[:-1], classes=["a", "b", "c"], step_seconds=0.5)
