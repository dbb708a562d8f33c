"""Tests for `AttentionPooling`: NumPy reference, masks, dtypes, Keras plumbing."""

import ast
import inspect

import hypothesis
import hypothesis.strategies as st
import keras
import numpy as np
import pytest

from attention_tf import AttentionPooling
from attention_tf.layers import attention_pooling as attention_pooling_module
from attention_tf.layers import masked_attention, rnn_masks
from tests.gradients import input_and_weight_gradients
from tests.layers.reference import (
    BATCH,
    FEATURES,
    QUERY_FEATURES,
    QUERY_TIME,
    TIME,
    UNITS,
    assert_close,
    numpy_attention,
    random_mask,
    randomize,
    to_float32_numpy,
    weights_of,
)

# --------------------------------------------------------------------------
# Correctness against NumPy
# --------------------------------------------------------------------------


@pytest.mark.parametrize("mask_kind", ["none", "lengths", "with_empty_row"])
def test_pooling_matches_numpy(rng, mask_kind):
    values = rng.normal(size=(BATCH, TIME, FEATURES)).astype("float32")
    mask = random_mask(rng, mask_kind)
    layer = AttentionPooling(UNITS)
    layer.build(values.shape)
    randomize(layer, rng)

    outputs, weights = layer(values, mask=mask, return_attention_scores=True)
    expected_outputs, expected_weights = numpy_attention(
        values, mask=mask, **weights_of(layer)
    )
    assert_close(weights, expected_weights, rtol=1e-5, atol=1e-6)
    assert_close(outputs, expected_outputs, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("query_rank", [2, 3])
@pytest.mark.parametrize("mask_kind", ["none", "lengths", "with_empty_row"])
def test_query_mode_matches_numpy(rng, query_rank, mask_kind):
    values = rng.normal(size=(BATCH, TIME, FEATURES)).astype("float32")
    query_shape = (BATCH, QUERY_FEATURES)
    if query_rank == 3:
        query_shape = (BATCH, QUERY_TIME, QUERY_FEATURES)
    query = rng.normal(size=query_shape).astype("float32")
    mask = random_mask(rng, mask_kind)
    layer = AttentionPooling(UNITS)
    layer.build([query.shape, values.shape])
    randomize(layer, rng)

    outputs, weights = layer(
        [query, values], mask=[None, mask], return_attention_scores=True
    )
    expected_outputs, expected_weights = numpy_attention(
        values,
        mask=mask,
        query=query,
        query_kernel=keras.ops.convert_to_numpy(layer.query_kernel),
        **weights_of(layer),
    )
    assert tuple(outputs.shape) == query_shape[:-1] + (FEATURES,)
    assert tuple(weights.shape) == query_shape[:-1] + (TIME,)
    assert_close(weights, expected_weights, rtol=1e-5, atol=1e-6)
    assert_close(outputs, expected_outputs, rtol=1e-5, atol=1e-6)


def test_rank2_query_equals_rank3_query_of_length_one(rng):
    values = rng.normal(size=(BATCH, TIME, FEATURES)).astype("float32")
    query = rng.normal(size=(BATCH, QUERY_FEATURES)).astype("float32")
    layer = AttentionPooling(UNITS)
    out2, w2 = layer([query, values], return_attention_scores=True)
    out3, w3 = layer([query[:, None], values], return_attention_scores=True)
    # atol: TensorFlow 2.16 reduces the two matmuls in another order
    # (8.9e-8 apart on a 0.08 output).
    assert_close(out2, out3[:, 0], rtol=1e-6, atol=1e-7)
    assert_close(w2, w3[:, 0], rtol=1e-6, atol=1e-7)


def test_projected_values_give_the_same_result(rng):
    values = rng.normal(size=(BATCH, TIME, FEATURES)).astype("float32")
    mask = random_mask(rng, "lengths")
    layer = AttentionPooling(UNITS)
    layer.build([(BATCH, QUERY_FEATURES), values.shape])
    randomize(layer, rng)
    keys = layer.project_values(values)
    assert tuple(keys.shape) == (BATCH, TIME, UNITS)
    for _ in range(3):  # one projection, many decoder steps
        query = rng.normal(size=(BATCH, QUERY_FEATURES)).astype("float32")
        fresh = layer([query, values], mask=[None, mask])
        reused = layer(
            [query, values], mask=[None, mask], projected_values=keys
        )
        assert_close(reused, fresh, rtol=1e-6)


def test_without_bias(rng):
    values = rng.normal(size=(BATCH, TIME, FEATURES)).astype("float32")
    layer = AttentionPooling(UNITS, use_bias=False)
    outputs = layer(values)
    assert layer.bias is None
    assert len(layer.trainable_weights) == 2
    expected, _ = numpy_attention(
        values,
        kernel=keras.ops.convert_to_numpy(layer.kernel),
        bias=np.zeros(UNITS),
        context=keras.ops.convert_to_numpy(layer.context),
    )
    assert_close(outputs, expected, rtol=1e-5, atol=1e-6)


# --------------------------------------------------------------------------
# Masking
# --------------------------------------------------------------------------


def test_embedding_mask_reaches_the_layer_without_wiring(rng):
    tokens = np.array([[3, 4, 5, 0, 0], [6, 0, 0, 0, 0]])
    inputs = keras.Input(shape=(None,), dtype="int32")
    embedded = keras.layers.Embedding(10, FEATURES, mask_zero=True)(inputs)
    pooled, weights = AttentionPooling(UNITS)(
        embedded, return_attention_scores=True
    )
    model = keras.Model(inputs, [pooled, weights])
    _, weights = model.predict(tokens, verbose=0)
    assert np.all(weights[tokens == 0] == 0.0)
    assert_close(weights.sum(axis=1), 1.0, rtol=1e-6)
    assert weights[1, 0] == 1.0


@hypothesis.settings(max_examples=25, deadline=None)
@hypothesis.given(
    lengths=st.lists(st.integers(1, 12), min_size=1, max_size=4),
    extra_padding=st.integers(1, 20),
    seed=st.integers(0, 2**16),
)
def test_more_padding_changes_nothing(lengths, extra_padding, seed):
    rng = np.random.default_rng(seed)
    time = max(lengths)
    values = rng.normal(size=(len(lengths), time, FEATURES)).astype("float32")
    mask = np.arange(time)[None, :] < np.array(lengths)[:, None]
    values[~mask] = 0.0
    padded = np.concatenate(
        [values, rng.normal(size=(len(lengths), extra_padding, FEATURES))],
        axis=1,
    ).astype("float32")
    padded_mask = np.pad(mask, [(0, 0), (0, extra_padding)])

    layer = AttentionPooling(UNITS, context_initializer="random_normal")
    outputs, weights = layer(values, mask=mask, return_attention_scores=True)
    outputs_padded, weights_padded = layer(
        padded, mask=padded_mask, return_attention_scores=True
    )
    assert_close(outputs_padded, outputs, rtol=1e-5, atol=1e-6)
    assert_close(
        keras.ops.convert_to_numpy(weights_padded)[:, :time],
        weights,
        rtol=1e-5,
        atol=1e-7,
    )
    assert np.all(keras.ops.convert_to_numpy(weights_padded)[:, time:] == 0.0)


def test_compute_mask():
    layer = AttentionPooling(UNITS)
    values = np.zeros((2, 3, 4), "float32")
    values_mask = np.ones((2, 3), bool)
    query_mask = np.array([[True, False], [True, True]])
    assert layer.compute_mask(values, values_mask) is None
    returned = layer.compute_mask(
        [np.zeros((2, 2, 4)), values], [query_mask, values_mask]
    )
    assert returned is query_mask


def test_query_mask_zeroes_outputs_and_propagates(rng):
    query_tokens = np.array([[1, 2, 0], [3, 0, 0]])
    source_tokens = np.array([[4, 5, 6, 0], [7, 8, 0, 0]])
    query_in = keras.Input(shape=(None,), dtype="int32")
    source_in = keras.Input(shape=(None,), dtype="int32")
    query = keras.layers.Embedding(10, QUERY_FEATURES, mask_zero=True)(query_in)
    source = keras.layers.Embedding(10, FEATURES, mask_zero=True)(source_in)
    attended, weights = AttentionPooling(UNITS)(
        [query, source], return_attention_scores=True
    )
    assert attended._keras_mask is not None
    model = keras.Model([query_in, source_in], [attended, weights])
    outputs, weights = model.predict([query_tokens, source_tokens], verbose=0)
    assert np.all(outputs[query_tokens == 0] == 0.0)
    assert np.all(
        weights[:, :, :][
            np.broadcast_to((source_tokens == 0)[:, None, :], weights.shape)
        ]
        == 0.0
    )


# --------------------------------------------------------------------------
# Never NaN
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "policy", ["float32", "mixed_float16", "mixed_bfloat16"], indirect=True
)
@pytest.mark.parametrize("query_rank", [None, 2, 3])
def test_fully_masked_rows_are_zero_with_finite_gradients(
    rng, policy, query_rank
):
    values = rng.normal(size=(BATCH, TIME, FEATURES)).astype("float32")
    mask = random_mask(rng, "with_empty_row")
    mask[1] = False  # two empty rows
    layer = AttentionPooling(UNITS)
    query = None
    if query_rank is not None:
        query_shape = (BATCH,) + (QUERY_TIME,) * (query_rank - 2)
        query = rng.normal(size=query_shape + (QUERY_FEATURES,))
        query = query.astype("float32")
        layer.build([query.shape, values.shape])

    def attend(layer, values):
        if query is None:
            return layer(values, mask=mask, return_attention_scores=True)
        return layer(
            [query, values], mask=[None, mask], return_attention_scores=True
        )

    def loss_fn(layer, values):
        outputs, _ = attend(layer, values)
        return keras.ops.sum(keras.ops.cast(outputs, "float32") ** 2)

    gradients = input_and_weight_gradients(layer, loss_fn, values)
    outputs, weights = attend(layer, values)

    expected_dtype = keras.DTypePolicy(policy).compute_dtype
    assert keras.backend.standardize_dtype(outputs.dtype) == expected_dtype
    outputs = to_float32_numpy(outputs)
    weights = to_float32_numpy(weights)
    assert np.all(np.isfinite(outputs)) and np.all(np.isfinite(weights))
    assert np.all(outputs[:2] == 0.0) and np.all(weights[:2] == 0.0)
    # Rows with at least one step still sum to one.
    assert_close(weights[2].sum(axis=-1), 1.0, rtol=1e-2)
    for gradient in gradients:
        assert np.all(np.isfinite(gradient.astype("float32")))
    # The empty rows get no gradient at all.
    assert np.all(gradients[0][:2] == 0.0)


@pytest.mark.parametrize(
    "policy", ["float32", "mixed_float16", "mixed_bfloat16"], indirect=True
)
def test_large_scores_do_not_overflow(rng, policy):
    units = 512
    values = rng.normal(size=(BATCH, TIME, FEATURES)).astype("float32")
    mask = random_mask(rng, "lengths")
    layer = AttentionPooling(units)
    layer.build(values.shape)
    # |score| up to 512 * 200 = 1e5, past float16's 65504.
    layer.context.assign(np.full(units, 200.0, "float32"))
    outputs, weights = layer(values, mask=mask, return_attention_scores=True)
    weights = to_float32_numpy(weights)
    outputs = to_float32_numpy(outputs)
    assert np.all(np.isfinite(weights)) and np.all(np.isfinite(outputs))
    assert_close(weights.sum(axis=-1), 1.0, rtol=1e-2)
    assert np.all(weights[~mask] == 0.0)


# --------------------------------------------------------------------------
# Keras plumbing
# --------------------------------------------------------------------------


def test_config_round_trip():
    layer = AttentionPooling(
        7,
        use_bias=False,
        kernel_initializer="he_normal",
        context_initializer="random_normal",
        kernel_regularizer=keras.regularizers.L2(0.01),
        bias_regularizer="l1",
        context_regularizer=keras.regularizers.L2(0.02),
        name="pool",
    )
    config = layer.get_config()
    clone = AttentionPooling.from_config(config)
    assert clone.get_config() == config
    assert config["units"] == 7 and config["use_bias"] is False
    assert keras.saving.get_registered_name(AttentionPooling) == (
        "attention_tf>AttentionPooling"
    )


@pytest.mark.parametrize(
    "input_shape, expected_output",
    [
        ((None, None, 8), (None, 8)),
        ([(None, 6), (None, 11, 8)], (None, 8)),
        ([(None, 3, 6), (None, 11, 8)], (None, 3, 8)),
    ],
)
def test_compute_output_shape_and_spec(input_shape, expected_output):
    layer = AttentionPooling(UNITS)
    assert layer.compute_output_shape(input_shape) == expected_output
    if isinstance(input_shape, list):
        inputs = [keras.KerasTensor(s) for s in input_shape]
        time = input_shape[1][1]
    else:
        inputs = keras.KerasTensor(input_shape)
        time = input_shape[1]
    outputs, weights = layer(inputs, return_attention_scores=True)
    assert outputs.shape == expected_output
    assert weights.shape == expected_output[:-1] + (time,)


def _fit_briefly(model, jit_compile=False):
    rng = np.random.default_rng(0)
    x = rng.integers(1, 20, size=(32, 9))
    x[:, 6:] = 0
    y = (x[:, 0] > 10).astype("float32")
    model.compile("adam", "binary_crossentropy", jit_compile=jit_compile)
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    return model.predict(x, verbose=0)


def _layers():
    return [
        keras.layers.Embedding(20, 8, mask_zero=True),
        keras.layers.Bidirectional(keras.layers.LSTM(4, return_sequences=True)),
        AttentionPooling(UNITS),
        keras.layers.Dense(1, activation="sigmoid"),
    ]


class TinyClassifier(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.embedding, self.encoder, self.pooling, self.head = _layers()

    def call(self, tokens):
        hidden = self.encoder(self.embedding(tokens))
        return self.head(self.pooling(hidden))


def test_sequential_functional_and_subclassed_models():
    sequential = keras.Sequential(
        [keras.Input((None,), dtype="int32")] + _layers()
    )
    inputs = keras.Input((None,), dtype="int32")
    x = inputs
    for layer in _layers():
        x = layer(x)
    functional = keras.Model(inputs, x)
    for model in (sequential, functional, TinyClassifier()):
        predictions = _fit_briefly(model)
        assert predictions.shape == (32, 1)


def test_trains_under_jit_compile():
    inputs = keras.Input((None,), dtype="int32")
    x = inputs
    for layer in _layers():
        x = layer(x)
    model = keras.Model(inputs, x)
    before = [w.copy() for w in model.get_weights()]
    _fit_briefly(model, jit_compile=True)
    pooling = model.layers[3]
    assert isinstance(pooling, AttentionPooling)
    changed = [
        not np.allclose(a, b) for a, b in zip(before, model.get_weights())
    ]
    assert all(changed)


def test_saves_and_loads_with_safe_mode(tmp_path, rng):
    inputs = keras.Input((None,), dtype="int32")
    query_in = keras.Input((3,))
    x = keras.layers.Embedding(20, 8, mask_zero=True)(inputs)
    pooled = AttentionPooling(UNITS, kernel_regularizer="l2")(x)
    attended, weights = AttentionPooling(5)(
        [query_in, x], return_attention_scores=True
    )
    model = keras.Model([inputs, query_in], [pooled, attended, weights])
    path = tmp_path / "model.keras"
    model.save(path)
    # A fresh process would not have the class in custom_objects either.
    with keras.saving.custom_object_scope({}):
        loaded = keras.saving.load_model(path, safe_mode=True)
    tokens = np.array([[1, 2, 3, 0], [4, 5, 0, 0]])
    query = rng.normal(size=(2, 3)).astype("float32")
    for a, b in zip(
        model.predict([tokens, query], verbose=0),
        loaded.predict([tokens, query], verbose=0),
    ):
        assert_close(a, b, rtol=1e-6)


@pytest.mark.parametrize(
    "module", [attention_pooling_module, masked_attention, rnn_masks]
)
def test_layers_use_only_keras_ops(module):
    tree = ast.parse(inspect.getsource(module))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module)
    assert {name.split(".")[0] for name in imported} <= {
        "keras",
        "attention_tf",
    }
    # `attention_tf.utils.arguments` is pure Python (argument checks).
    assert {n for n in imported if n.startswith("attention_tf")} <= {
        "attention_tf.layers",
        "attention_tf.utils.arguments",
    }


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------


@pytest.mark.parametrize("units", [0, -3, 2.5, "8", True, None])
def test_units_must_be_a_positive_int(units):
    with pytest.raises(ValueError, match=r"`units` must be a positive integer"):
        AttentionPooling(units)


def test_values_must_be_rank_3():
    with pytest.raises(
        ValueError, match=r"`values` must have rank 3.*\(2, 5\)"
    ):
        AttentionPooling(UNITS)(np.zeros((2, 5), "float32"))


@pytest.mark.parametrize("shape", [(2,), (2, 1, 3, 4)])
def test_query_must_be_rank_2_or_3(shape):
    values = np.zeros((2, 5, 4), "float32")
    with pytest.raises(
        ValueError, match=r"`query` must have rank 2.*or rank 3"
    ):
        AttentionPooling(UNITS)([np.zeros(shape, "float32"), values])


def test_batch_sizes_must_match():
    with pytest.raises(
        ValueError,
        match=r"same batch size.*query batch=3, "
        r"values batch=2",
    ):
        AttentionPooling(UNITS)(
            [np.zeros((3, 4), "float32"), np.zeros((2, 5, 4), "float32")]
        )


@pytest.mark.parametrize("mask_shape", [(2, 6), (3, 5), (2, 5, 1)])
def test_mask_shape_must_match_values(mask_shape):
    values = np.zeros((2, 5, 4), "float32")
    with pytest.raises(
        ValueError,
        match=r"`values_mask` must have shape "
        r"\[batch, time\] = \(2, 5\)",
    ):
        AttentionPooling(UNITS)(values, mask=np.ones(mask_shape, bool))


def test_query_layer_needs_query_kernel():
    layer = AttentionPooling(UNITS)
    values = np.zeros((2, 5, 4), "float32")
    layer(values)
    with pytest.raises(ValueError, match=r"built without a query"):
        layer([np.zeros((2, 3), "float32"), values])


@pytest.mark.parametrize(
    "shape", [(2, 5, UNITS + 1), (2, 6, UNITS), (3, 5, UNITS), (2, UNITS)]
)
def test_projected_values_must_match_values_and_units(shape):
    layer = AttentionPooling(UNITS)
    values = np.zeros((2, 5, 4), "float32")
    with pytest.raises(
        ValueError, match=r"`projected_values` must have shape .*\(2, 5, 4\)"
    ):
        layer(values, projected_values=np.zeros(shape, "float32"))


def test_project_values_needs_a_built_layer():
    with pytest.raises(ValueError, match=r"must be built before"):
        AttentionPooling(UNITS).project_values(np.zeros((2, 5, 4), "float32"))
