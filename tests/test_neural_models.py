"""Neural builders (course_utils.models): shapes for many input sizes, arguments, seeds, receptive fields."""

import numpy as np
import pytest

from course_utils import models
from course_utils.errors import ConfigError
from course_utils.models import inspect


@pytest.mark.parametrize("shape", [(128, 130), (20, 130), (64, 65), (3, 5), (1, 40)])
def test_cnn2d_gives_one_probability_per_class_for_any_segment_size(shape):
    model = models.cnn2d(shape, 7)
    x = np.random.default_rng(0).normal(size=(4, *shape)).astype(np.float32)
    probabilities = model.predict(x, verbose=0)
    assert model.input_shape == (None, *shape) and model.output_shape == (None, 7)
    assert probabilities.shape == (4, 7) and np.allclose(probabilities.sum(axis=1), 1, atol=1e-5)


@pytest.mark.parametrize("builder, shape, options", [
    ("cnn1d", (10, 200), {}), ("cnn1d", (1, 16), {}), ("cnn1d", (20, 130), {"time_axis": 1}),
    ("lstm", (10, 200), {}), ("lstm", (20, 130), {"time_axis": 1, "pool": 2}), ("lstm", (3, 8), {"pool": 4}),
    ("bilstm", (10, 32), {}), ("bilstm", (16, 40), {"time_axis": 1, "units": (8, 4)}),
])
def test_sequence_builders_give_one_probability_per_class(builder, shape, options):
    model = getattr(models, builder)(shape, 3, **options)
    x = np.random.default_rng(1).normal(size=(2, *shape)).astype(np.float32)
    probabilities = model.predict(x, verbose=0)
    assert model.output_shape == (None, 3) and probabilities.shape == (2, 3)
    assert np.allclose(probabilities.sum(axis=1), 1, atol=1e-5)


def test_time_axis_puts_frames_first_and_pool_shortens_the_sequence():
    model = models.lstm((20, 130), 3, time_axis=1, pool=2)
    assert model.get_layer("to_time_first").output.shape == (None, 130, 20)
    assert model.get_layer("pool").output.shape == (None, 65, 20)
    assert model.get_layer("normalize").output.shape == (None, 20, 130)


def test_bidirectional_doubles_the_recurrent_weights():
    one, two = models.lstm((10, 16), 3, units=8), models.bilstm((10, 16), 3, units=8)
    lstm_weights = one.get_layer("lstm1").count_params()
    assert lstm_weights == 4 * 8 * (16 + 8 + 1)  # four gates, each with input, recurrent and bias weights
    assert two.get_layer("bilstm1").count_params() == 2 * lstm_weights
    assert two.name == "bilstm" and one.name == "lstm"


def test_models_are_compiled_for_one_hot_labels():
    model = models.cnn1d((4, 6), 3)
    assert model.compiled and model.loss == "categorical_crossentropy"


def test_same_seed_same_initial_weights_and_other_seed_other_weights():
    first, again, other = (models.cnn2d((16, 20), 3, seed=s) for s in (5, 5, 6))
    assert all(np.array_equal(a, b) for a, b in zip(first.get_weights(), again.get_weights()))
    assert not np.array_equal(first.get_layer("conv1").get_weights()[0], other.get_layer("conv1").get_weights()[0])


@pytest.mark.parametrize("build", [lambda seed: models.cnn2d((16, 20), 3, seed=seed),
                                   lambda seed: models.cnn1d((6, 8), 3, seed=seed),
                                   lambda seed: models.bilstm((6, 8), 3, units=4, seed=seed),
                                   lambda seed: models.mlp((5,), 3, seed=seed)])
def test_builders_seed_their_layers_without_reseeding_global_state(build):
    """Equal seeds, equal weights; and Python's, NumPy's and Keras's global generators are left as they were."""
    import random

    import keras

    def draws():
        return random.random(), float(np.random.rand()), float(keras.random.uniform(()))

    keras.utils.set_random_seed(123)
    expected = draws()
    keras.utils.set_random_seed(123)
    first, again = build(7), build(7)
    assert draws() == expected
    assert all(np.array_equal(a, b) for a, b in zip(first.get_weights(), again.get_weights()))


def test_the_two_directions_of_a_bilstm_start_apart():
    layer = models.bilstm((6, 8), 3, units=4, seed=1).get_layer("bilstm1")
    forward, backward = layer.forward_layer.get_weights()[0], layer.backward_layer.get_weights()[0]
    assert forward.shape == backward.shape and not np.array_equal(forward, backward)


def test_filters_set_the_blocks():
    model = models.cnn2d((32, 32), 4, filters=(4, 8, 8, 16), downsample=(1, 1))
    assert [model.get_layer(f"conv{k}").filters for k in range(1, 5)] == [4, 8, 8, 16]
    assert model.get_layer("conv4").output.shape == (None, 4, 4, 16)


@pytest.mark.parametrize("call, argument", [
    (lambda: models.cnn2d((128,), 10), "input_shape"),
    (lambda: models.cnn2d((128, 0), 10), "input_shape"),
    (lambda: models.cnn2d((128, 130), 1), "n_classes"),
    (lambda: models.cnn2d((128, 130), 10, dropout=1.0), "dropout"),
    (lambda: models.cnn2d((128, 130), 10, downsample=(2, 2, 2)), "downsample"),
    (lambda: models.cnn2d((128, 130), 10, filters=()), "filters"),
    (lambda: models.cnn1d((10, 200), 10, time_axis=2), "time_axis"),
    (lambda: models.lstm((10, 200), 10, pool=0), "pool"),
    (lambda: models.lstm((10, 200), 10, units=[64, -1]), "units"),
    (lambda: models.bilstm((10, 200), 10, learning_rate=0), "learning_rate"),
])
def test_bad_arguments_are_named(call, argument):
    with pytest.raises(ConfigError, match=argument):
        call()


def test_lazy_import_names_only_known_builders():
    assert models.cnn2d.__module__ == "course_utils.models.cnn"
    with pytest.raises(AttributeError, match="resnet"):
        models.resnet


def test_receptive_field_of_the_default_cnn2d():
    fields = inspect.receptive_field(models.cnn2d((128, 130), 10)).set_index("layer")
    # downsample 2x2 -> conv 3x3 at step 2 -> pool (step 4) -> conv at step 4 -> pool (8) -> conv at 8 -> pool (16)
    expected = {"downsample": (2, 2), "conv1": (6, 2), "pool1": (8, 4), "conv2": (16, 4), "pool2": (20, 8),
                "conv3": (36, 8), "pool3": (44, 16)}
    for layer, (field, step) in expected.items():
        assert fields.loc[layer, "field frames"] == fields.loc[layer, "field bands"] == field, layer
        assert fields.loc[layer, "step frames"] == step, layer


def test_receptive_field_of_a_1d_cnn_counts_steps():
    fields = inspect.receptive_field(models.cnn1d((16, 8), 3, kernel_size=5)).set_index("layer")
    assert list(fields.columns) == ["field steps", "step steps"]
    assert fields.loc["conv2", "field steps"] == 5 + 1 + 4 * 2
    with pytest.raises(ConfigError, match="no convolution"):
        inspect.receptive_field(models.lstm((4, 3), 2))


def test_saliency_is_the_absolute_gradient_and_zero_where_the_model_does_not_look():
    import keras

    inputs = keras.Input((2, 3))
    outputs = keras.layers.Dense(2, activation="softmax")(keras.layers.Flatten()(inputs))
    model = keras.Model(inputs, outputs)
    kernel = np.zeros((6, 2), np.float32)
    kernel[4] = [2.0, -2.0]  # only input cell (1, 1) matters
    model.layers[-1].set_weights([kernel, np.zeros(2, np.float32)])
    x = np.zeros((2, 3), np.float32)
    gradient = inspect.saliency(model, x, class_index=0)
    assert gradient.shape == (2, 3) and np.count_nonzero(gradient) == 1
    assert gradient[1, 1] == pytest.approx(2.0)  # the logit's gradient: the weight of that cell
    probability_model = keras.Model(inputs, keras.layers.Activation("linear")(outputs))
    through_softmax = inspect.saliency(probability_model, x, class_index=0)
    assert through_softmax[1, 1] == pytest.approx(2 * 0.5 * 0.5 * 2)  # d p0 / d x = p0 p1 (w0 - w1)
    with pytest.raises(ConfigError, match="shape"):
        inspect.saliency(model, np.zeros((3, 2)))
    with pytest.raises(ConfigError, match="class_index"):
        inspect.saliency(model, x, class_index=5)


def test_states_over_time_ends_with_the_models_own_answer():
    model = models.lstm((12, 5), 3, units=6, seed=3)
    x = np.random.default_rng(2).normal(size=(12, 5)).astype(np.float32)
    states, probabilities = inspect.states_over_time(model, x)
    assert states.shape == (12, 6) and probabilities.shape == (12, 3)
    assert np.allclose(probabilities[-1], model.predict(x[None], verbose=0)[0], atol=1e-5)
    assert not np.allclose(probabilities[0], probabilities[-1])
    with pytest.raises(ConfigError, match="one-directional"):
        inspect.states_over_time(models.bilstm((12, 5), 3), x)


def test_layer_output_names_unknown_layers():
    model = models.cnn2d((16, 16), 3, downsample=(1, 1))
    maps = inspect.layer_output(model, np.zeros((1, 16, 16), np.float32), "relu1")
    assert maps.shape == (1, 16, 16, 16)
    with pytest.raises(ConfigError, match="no layer 'conv9'"):
        inspect.layer_output(model, np.zeros((1, 16, 16)), "conv9")
