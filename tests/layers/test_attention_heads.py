"""`AttentionPooling` with several heads, attention dropout and the diversity
penalty, against NumPy; masked padding that holds NaN; empty time axes; and
files saved by the one-head layer before these options existed."""

import json
import zipfile

import keras
import numpy as np
import pytest

from attention_tf import AttentionPooling
from attention_tf.layers import masked_attention
from tests.gradients import input_and_weight_gradients
from tests.layers.reference import (
    BATCH,
    FEATURES,
    QUERY_FEATURES,
    TIME,
    UNITS,
    assert_close,
    numpy_heads,
    random_mask,
    randomize,
    to_float32_numpy,
    weights_of,
)

POLICIES = ["float32", "mixed_float16", "mixed_bfloat16"]
# Tolerances against the float64 reference, per compute dtype.
TOLERANCE = {"float32": 1e-5, "mixed_float16": 2e-2, "mixed_bfloat16": 8e-2}


def pool(layer, values, mask, training=False):
    return layer(
        values, mask=mask, training=training, return_attention_scores=True
    )


@pytest.mark.parametrize("policy", POLICIES, indirect=True)
@pytest.mark.parametrize("heads", [2, 3, 5])
@pytest.mark.parametrize("mask_kind", ["none", "lengths", "with_empty_row"])
def test_heads_match_numpy(rng, policy, heads, mask_kind):
    values = rng.normal(size=(BATCH, TIME, FEATURES)).astype("float32")
    mask = random_mask(rng, mask_kind)
    layer = AttentionPooling(UNITS, heads=heads, diversity_penalty=0.3)
    layer.build(values.shape)
    randomize(layer, rng)

    outputs, weights = pool(layer, values, mask)
    expected_outputs, expected_weights, penalty = numpy_heads(
        values, mask=mask, **weights_of(layer)
    )
    tol = TOLERANCE[policy]
    assert tuple(outputs.shape) == (BATCH, heads * FEATURES)
    assert tuple(weights.shape) == (BATCH, heads, TIME)
    assert_close(
        to_float32_numpy(weights), expected_weights, rtol=tol, atol=tol
    )
    assert_close(
        to_float32_numpy(outputs), expected_outputs, rtol=tol, atol=tol
    )
    (loss,) = layer.losses
    assert_close(to_float32_numpy(loss), 0.3 * penalty, rtol=tol, atol=tol)
    if mask is not None:
        weights = to_float32_numpy(weights)
        assert np.all(
            weights[np.broadcast_to(~mask[:, None], weights.shape)] == 0
        )


def test_one_head_with_a_column_context_equals_the_vector_layer(rng):
    """heads=1 and one column of a multi-head layer compute the same."""
    values = rng.normal(size=(BATCH, TIME, FEATURES)).astype("float32")
    mask = random_mask(rng, "with_empty_row")
    many = AttentionPooling(UNITS, heads=3)
    many.build(values.shape)
    randomize(many, rng)
    one = AttentionPooling(UNITS)
    one.build(values.shape)
    context = keras.ops.convert_to_numpy(many.context)
    one.set_weights([*many.get_weights()[:2], context[:, 1]])
    outputs, weights = pool(many, values, mask)
    single_outputs, single_weights = pool(one, values, mask)
    # Different matmul shapes round differently: float32 tolerances.
    assert_close(weights[:, 1], single_weights, rtol=1e-5, atol=1e-7)
    assert_close(
        outputs[:, FEATURES : 2 * FEATURES],
        single_outputs,
        rtol=1e-5,
        atol=1e-6,
    )


@pytest.mark.parametrize("policy", POLICIES, indirect=True)
@pytest.mark.parametrize("heads", [1, 4])
def test_empty_rows_are_zero_with_finite_gradients_per_head(rng, policy, heads):
    values = rng.normal(size=(BATCH, TIME, FEATURES)).astype("float32")
    mask = random_mask(rng, "with_empty_row")
    mask[1] = False
    layer = AttentionPooling(UNITS, heads=heads, diversity_penalty=1.0)

    def loss_fn(layer, values):
        outputs, weights = pool(layer, values, mask)
        # The penalty from the returned weights: JAX's stateless gradient
        # scope does not collect `layer.losses`.
        weights = keras.ops.reshape(
            keras.ops.cast(weights, "float32"), (BATCH, heads, TIME)
        )
        penalty = masked_attention.diversity_penalty(weights)
        return keras.ops.sum(keras.ops.cast(outputs, "float32") ** 2) + penalty

    gradients = input_and_weight_gradients(layer, loss_fn, values)
    outputs, weights = pool(layer, values, mask)
    outputs, weights = to_float32_numpy(outputs), to_float32_numpy(weights)
    penalty = to_float32_numpy(layer.losses[-1])
    assert np.all(np.isfinite(outputs)) and np.all(np.isfinite(weights))
    assert np.isfinite(penalty)
    assert np.all(outputs[:2] == 0.0) and np.all(weights[:2] == 0.0)
    assert_close(weights[2].sum(axis=-1), 1.0, rtol=1e-2)
    for gradient in gradients:
        assert np.all(np.isfinite(gradient.astype("float32")))
    assert np.all(gradients[0][:2] == 0.0)


def test_penalty_of_all_masked_batch_is_zero(rng):
    values = rng.normal(size=(2, TIME, FEATURES)).astype("float32")
    layer = AttentionPooling(UNITS, heads=3, diversity_penalty=2.0)
    pool(layer, values, np.zeros((2, TIME), bool))
    assert float(to_float32_numpy(layer.losses[0])) == 0.0


@pytest.mark.parametrize("heads", [1, 3])
def test_padding_invariance_per_head(rng, heads):
    values = rng.normal(size=(BATCH, TIME, FEATURES)).astype("float32")
    mask = random_mask(rng, "with_empty_row")
    padded = np.concatenate(
        [values, rng.normal(size=(BATCH, 6, FEATURES)).astype("float32")], 1
    )
    padded_mask = np.pad(mask, [(0, 0), (0, 6)])
    layer = AttentionPooling(UNITS, heads=heads, diversity_penalty=0.5)
    outputs, weights = pool(layer, values, mask)
    (penalty,) = layer.losses  # each call replaces the last call's losses
    padded_outputs, padded_weights = pool(layer, padded, padded_mask)
    assert_close(padded_outputs, outputs, rtol=1e-5, atol=1e-6)
    padded_weights = keras.ops.convert_to_numpy(padded_weights)
    assert_close(padded_weights[..., :TIME], weights, rtol=1e-5, atol=1e-7)
    assert np.all(padded_weights[..., TIME:] == 0.0)
    assert_close(layer.losses[0], penalty, rtol=1e-5)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("heads", [1, 3, None])
def test_non_finite_padding_never_leaks(rng, bad, heads):
    values = rng.normal(size=(BATCH, TIME, FEATURES)).astype("float32")
    mask = random_mask(rng, "with_empty_row")
    mask[1, -1] = False
    values[~mask] = bad
    clean = np.where(mask[..., None], values, 0.0).astype("float32")
    if heads is None:  # query mode
        query = rng.normal(size=(BATCH, QUERY_FEATURES)).astype("float32")
        layer = AttentionPooling(UNITS)

        def attend(layer, values):
            return layer([query, values], mask=[None, mask])
    else:
        layer = AttentionPooling(UNITS, heads=heads)

        def attend(layer, values):
            return layer(values, mask=mask)

    def loss_fn(layer, values):
        return keras.ops.sum(attend(layer, values) ** 2)

    outputs = keras.ops.convert_to_numpy(attend(layer, values))
    assert np.all(np.isfinite(outputs))
    assert_close(outputs, attend(layer, clean), rtol=1e-6)
    for gradient in input_and_weight_gradients(layer, loss_fn, values):
        assert np.all(np.isfinite(gradient))


@pytest.mark.parametrize("heads", [1, 3])
def test_empty_time_axis_eagerly_and_in_a_graph(heads):
    values = np.zeros((2, 0, FEATURES), "float32")
    mask = np.zeros((2, 0), bool)
    layer = AttentionPooling(UNITS, heads=heads, diversity_penalty=1.0)
    outputs, weights = pool(layer, values, mask)
    assert tuple(outputs.shape) == (2, heads * FEATURES)
    assert np.all(keras.ops.convert_to_numpy(outputs) == 0.0)
    assert float(to_float32_numpy(layer.losses[0])) == 0.0

    inputs = keras.Input((None, FEATURES))
    mask_in = keras.Input((None,), dtype="bool")
    model = keras.Model([inputs, mask_in], layer(inputs, mask=mask_in))
    predicted = model.predict([values, mask], verbose=0)
    assert predicted.shape == (2, heads * FEATURES)
    assert np.all(predicted == 0.0)


def test_dropout_drops_weights_in_training_only(rng):
    """One-hot values make the output the (dropped) weights themselves."""
    rate, heads = 0.5, 2
    values = np.broadcast_to(np.eye(TIME, dtype="float32"), (8, TIME, TIME))
    mask = random_mask(rng, "with_empty_row", batch=8)
    layer = AttentionPooling(UNITS, heads=heads, dropout=rate, seed=3)
    inference, weights = pool(layer, values, mask)
    training, training_weights = pool(layer, values, mask, training=True)
    weights = keras.ops.convert_to_numpy(weights)
    assert_close(training_weights, weights, rtol=1e-6)  # before dropout
    assert_close(inference, weights.reshape(8, -1), rtol=1e-6)
    training = keras.ops.convert_to_numpy(training).reshape(weights.shape)
    kept = training != 0.0
    assert_close(training[kept], weights[kept] / (1 - rate), rtol=1e-5)
    positive = weights > 0
    assert 0 < np.sum(kept & positive) < np.sum(positive)
    assert np.all(training[~positive] == 0.0)


def test_no_dropout_adds_no_variables():
    """Without dropout the layer has the variables of the one-head layer."""
    plain = AttentionPooling(UNITS, heads=2)
    plain.build((None, None, FEATURES))
    with_dropout = AttentionPooling(UNITS, heads=2, dropout=0.1)
    with_dropout.build((None, None, FEATURES))
    names = ["kernel", "bias", "context"]
    assert [v.name for v in plain.variables] == names
    assert [v.name for v in with_dropout.weights] == names


def test_diversity_penalty_trains_in_fit(rng):
    inputs = keras.Input((None,), dtype="int32")
    x = keras.layers.Embedding(20, 8, mask_zero=True)(inputs)
    x = AttentionPooling(UNITS, heads=3, dropout=0.2, diversity_penalty=1.0)(x)
    model = keras.Model(inputs, keras.layers.Dense(1, "sigmoid")(x))
    ids = rng.integers(1, 20, size=(32, 9))
    ids[:, 6:] = 0
    ids[0] = 0  # an empty text
    model.compile("adam", "binary_crossentropy")
    history = model.fit(ids, ids[:, :1] > 10, epochs=2, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    assert model.predict(ids, verbose=0).shape == (32, 1)


def test_config_round_trip_and_save_with_heads(tmp_path, rng):
    layer = AttentionPooling(
        6, heads=3, dropout=0.25, diversity_penalty=0.1, seed=7, name="pool"
    )
    config = layer.get_config()
    assert AttentionPooling.from_config(config).get_config() == config
    assert (config["heads"], config["dropout"]) == (3, 0.25)
    assert (config["diversity_penalty"], config["seed"]) == (0.1, 7)

    inputs = keras.Input((None, FEATURES))
    model = keras.Model(inputs, layer(inputs))
    model.save(tmp_path / "heads.keras")
    loaded = keras.saving.load_model(tmp_path / "heads.keras")
    values = rng.normal(size=(2, TIME, FEATURES)).astype("float32")
    assert_close(
        loaded.predict(values, verbose=0),
        model.predict(values, verbose=0),
        rtol=1e-6,
    )


def _without_new_options(path):
    """Rewrites a saved model's config as the layer before `heads` wrote it."""
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(files["config.json"])

    def strip(node):
        if isinstance(node, dict):
            if node.get("class_name") == "AttentionPooling":
                for key in ("heads", "dropout", "diversity_penalty", "seed"):
                    node["config"].pop(key)
            for child in node.values():
                strip(child)
        elif isinstance(node, list):
            for child in node:
                strip(child)

    strip(config)
    files["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)


def test_one_head_files_from_before_heads_still_load(tmp_path, rng):
    """A one-head file has the old config keys and weights: it loads as is."""
    inputs = keras.Input((None, FEATURES))
    pooled, weights = AttentionPooling(UNITS, name="pool")(
        inputs, return_attention_scores=True
    )
    model = keras.Model(inputs, [pooled, weights])
    path = tmp_path / "old.keras"
    model.save(path)
    _without_new_options(path)
    loaded = keras.saving.load_model(path)
    layer = loaded.get_layer("pool")
    assert (layer.heads, layer.dropout, layer.diversity_penalty) == (1, 0, 0)
    assert [tuple(w.shape) for w in layer.weights] == [
        (FEATURES, UNITS),
        (UNITS,),
        (UNITS,),
    ]
    values = rng.normal(size=(2, TIME, FEATURES)).astype("float32")
    for a, b in zip(
        model.predict(values, verbose=0), loaded.predict(values, verbose=0)
    ):
        assert_close(a, b, rtol=1e-6)
        assert a.shape[:1] == (2,) and a.ndim == 2


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"heads": 0}, r"`heads` must be a positive integer.*heads=0"),
        ({"heads": 2.0}, r"`heads` must be a positive integer"),
        ({"dropout": 1.0}, r"`dropout` must be a float in \[0, 1\).*1\.0"),
        ({"dropout": -0.1}, r"`dropout` must be a float in \[0, 1\)"),
        ({"dropout": "0.1"}, r"`dropout` must be a float in \[0, 1\)"),
        (
            {"diversity_penalty": -1},
            r"`diversity_penalty` must be a float >= 0",
        ),
        ({"diversity_penalty": float("nan")}, r"`diversity_penalty` must be"),
    ],
)
def test_bad_options_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        AttentionPooling(UNITS, **kwargs)


@pytest.mark.parametrize("kwargs", [{"heads": 2}, {"diversity_penalty": 0.5}])
def test_query_mode_takes_one_head_and_no_penalty(kwargs):
    layer = AttentionPooling(UNITS, **kwargs)
    with pytest.raises(ValueError, match=r"With a query.*one head.*Received"):
        layer([np.zeros((2, 3), "float32"), np.zeros((2, 5, 4), "float32")])


def test_output_shape_and_spec_with_heads():
    layer = AttentionPooling(UNITS, heads=3)
    assert layer.compute_output_shape((None, None, 8)) == (None, 24)
    outputs, weights = layer(
        keras.KerasTensor((None, 11, 8)), return_attention_scores=True
    )
    assert outputs.shape == (None, 24) and weights.shape == (None, 3, 11)
