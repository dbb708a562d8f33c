"""Every mask that reaches a recurrent layer in our models is one cuDNN takes.

On a GPU with the TensorFlow backend, Keras runs `LSTM`/`GRU` through cuDNN
only for right-padded masks with no all-masked row. A CPU never checks, so
these tests record the masks that reach every recurrent layer and check both
rules, on inputs built to break them: empty texts, padded sentence slots,
short documents and zeros inside a row. The classifiers' recurrent layers get
no mask at all (their rows are compacted and read in the right order
instead), the translator's encoder a right-padded one. They also check that
the models give what the recurrent layers give when called with the raw
mask.
"""

import functools

import keras
import numpy as np
import pytest

from attention_tf.layers.rnn_masks import bidirectional, call_rnn_right_padded
from attention_tf.models import (
    BahdanauTranslator,
    BiLSTMAttentionClassifier,
    HierarchicalAttentionClassifier,
)
from tests.gradients import input_and_weight_gradients


@pytest.fixture
def recorded_masks(monkeypatch):
    """Masks passed to every `LSTM` and `GRU` call, as given."""
    masks = []
    for rnn_class in (keras.layers.LSTM, keras.layers.GRU):
        original = rnn_class.call

        # `wraps` keeps the signature, from which Keras decides to pass masks.
        @functools.wraps(original)
        def spy(self, sequences, *args, _original=original, **kwargs):
            masks.append(kwargs.get("mask"))
            return _original(self, sequences, *args, **kwargs)

        monkeypatch.setattr(rnn_class, "call", spy)
    return masks


def eager_masks(masks, run):
    """The masks of an eager `run()`, after a first call builds the layers.

    Building traces the layers symbolically; those calls are left out.
    """
    run()
    masks.clear()
    outputs = keras.ops.convert_to_numpy(run())
    assert np.all(np.isfinite(outputs))
    return [
        None if mask is None else keras.ops.convert_to_numpy(mask)
        for mask in masks
    ]


def assert_cudnn_compatible(masks, layers, masked=True):
    """`layers` recurrent calls, all masked (cuDNN-safe) or all unmasked."""
    assert len(masks) == layers
    for mask in masks:
        if not masked:
            assert mask is None
            continue
        assert mask is not None and mask.ndim == 2
        # Right-padded: no unmasked step after a masked one.
        assert not np.any(~mask[:, :-1] & mask[:, 1:]), mask
        assert np.all(mask.any(axis=1)), mask


def random_ids(rng, shape, vocabulary=30):
    """Ids with empty rows, zeros inside rows and right padding."""
    ids = rng.integers(1, vocabulary, size=shape)
    ids[rng.random(shape) < 0.3] = 0
    ids[..., -2:] = 0
    ids[0] = 0  # an empty text (or document)
    return ids


def bilstm(heads=1):
    return BiLSTMAttentionClassifier(
        30,
        3,
        embedding_dim=8,
        lstm_units=4,
        attention_units=4,
        attention_heads=heads,
    )


def han(heads=1):
    return HierarchicalAttentionClassifier(
        30,
        2,
        embedding_dim=8,
        word_units=4,
        sentence_units=4,
        attention_units=4,
        attention_heads=heads,
    )


@pytest.mark.parametrize("heads", [1, 2])
def test_bilstm_masks(recorded_masks, heads):
    ids = random_ids(np.random.default_rng(heads), (6, 9))
    model = bilstm(heads)
    masks = eager_masks(recorded_masks, lambda: model(ids))
    assert_cudnn_compatible(masks, 2, masked=False)  # forward and backward


@pytest.mark.parametrize("heads", [1, 2])
def test_han_masks(recorded_masks, heads):
    ids = random_ids(np.random.default_rng(heads), (4, 5, 6))
    ids[1, 2:] = 0  # a short document: padded sentence slots
    ids[2, 1] = 0  # an empty sentence between two others
    model = han(heads)
    masks = eager_masks(recorded_masks, lambda: model(ids))
    assert_cudnn_compatible(masks, 4, masked=False)  # two bidirectional GRUs


def right_padded_ids(rng, shape, vocabulary=30):
    """Ids right-padded along the last axis, some rows empty."""
    lengths = rng.integers(0, shape[-1] + 1, size=shape[:-1])
    ids = rng.integers(1, vocabulary, size=shape)
    ids[np.arange(shape[-1]) >= lengths[..., None]] = 0
    ids[0] = 0  # an empty text (or document)
    return ids


@pytest.mark.parametrize("build, shape", [(bilstm, (6, 9)), (han, (4, 5, 6))])
@pytest.mark.parametrize("run", ["eager", "predict", "fit"])
def test_right_padded_rows_reach_no_rnn_masked(
    recorded_masks, build, shape, run
):
    """Rows already right-padded skip the moves, and still go in unmasked.

    The embedding's Keras mask travels with its output tensor; were that
    tensor handed on as it is, Keras would pass the mask to the LSTM/GRU
    (all-masked rows included) in eager calls, as on PyTorch.
    """
    rng = np.random.default_rng(len(shape))
    ids = right_padded_ids(rng, shape)
    labels = rng.integers(0, 2, size=shape[0])
    model = build()
    model(ids)  # builds (symbolically traced calls are not recorded)
    recorded_masks.clear()
    if run == "eager":
        assert np.all(np.isfinite(keras.ops.convert_to_numpy(model(ids))))
    elif run == "predict":
        assert np.all(np.isfinite(model.predict(ids, verbose=0)))
    else:
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
        model.fit(ids, labels, epochs=1, batch_size=len(ids), verbose=0)
    assert recorded_masks, "no recurrent call was recorded"
    assert all(mask is None for mask in recorded_masks)


@pytest.mark.parametrize("cell_type", ["gru", "lstm"])
def test_translator_masks(recorded_masks, cell_type):
    rng = np.random.default_rng(0)
    model = BahdanauTranslator(
        30,
        40,
        start_token_id=2,
        end_token_id=3,
        embedding_dim=8,
        encoder_units=8,
        decoder_units=8,
        attention_units=8,
        output_units=8,
        cell_type=cell_type,
    )
    source = random_ids(rng, (5, 7))
    target = random_ids(rng, (5, 4), vocabulary=40)
    masks = eager_masks(recorded_masks, lambda: model((source, target)))
    # The decoder loop runs the cell itself: only the encoder is a layer.
    assert_cudnn_compatible(masks, 2)


def right_padded_mask(rng, shape):
    """Rows of random lengths (0 to all steps), padding only at the end."""
    lengths = rng.integers(0, shape[1] + 1, size=shape[0])
    lengths[1] = shape[1]
    return np.arange(shape[1])[None, :] < lengths[:, None]


@pytest.mark.parametrize("rnn_class", [keras.layers.LSTM, keras.layers.GRU])
@pytest.mark.parametrize("return_state", [False, True])
@pytest.mark.parametrize("layout", ["scattered", "right_padded"])
def test_same_results_as_the_raw_mask(rnn_class, return_state, layout):
    """Masks with zeros inside rows (steps move), and right-padded ones
    (nothing moves)."""
    rng = np.random.default_rng(1)
    rnn = keras.layers.Bidirectional(
        rnn_class(5, return_sequences=True, return_state=return_state)
    )
    inputs = rng.normal(size=(6, 8, 3)).astype("float32")
    if layout == "scattered":
        mask = random_ids(rng, (6, 8)) != 0
        mask[1] = True
    else:
        mask = right_padded_mask(rng, (6, 8))
    expected = rnn(inputs, mask=mask)
    actual = call_rnn_right_padded(rnn, inputs, mask)
    if not return_state:
        expected, actual = [expected], [actual]
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(a),
            keras.ops.convert_to_numpy(e),
            rtol=1e-5,
            atol=1e-6,
        )


@pytest.mark.parametrize("rnn_class", [keras.layers.LSTM, keras.layers.GRU])
@pytest.mark.parametrize("layout", ["scattered", "right_padded"])
def test_same_gradients_as_the_raw_mask(rnn_class, layout):
    """The unmasked path trains as the masked one: same gradients, finite."""
    rng = np.random.default_rng(4)
    rnn = keras.layers.Bidirectional(rnn_class(5, return_sequences=True))
    inputs = rng.normal(size=(6, 8, 3)).astype("float32")
    if layout == "scattered":
        mask = random_ids(rng, (6, 8)) != 0
    else:
        mask = right_padded_mask(rng, (6, 8))
    upstream = keras.ops.convert_to_tensor(
        rng.normal(size=(6, 8, 10)).astype("float32")
    )
    rnn(inputs, mask=mask)  # builds the weights

    def raw(layer, x):
        return keras.ops.sum(layer(x, mask=mask) * upstream)

    def ours(layer, x):
        return keras.ops.sum(call_rnn_right_padded(layer, x, mask) * upstream)

    expected = input_and_weight_gradients(rnn, raw, inputs)
    actual = input_and_weight_gradients(rnn, ours, inputs)
    assert len(actual) == len(expected) == 1 + len(rnn.trainable_weights)
    for a, e in zip(actual, expected):
        assert np.all(np.isfinite(a))
        np.testing.assert_allclose(a, e, rtol=1e-4, atol=1e-6)


def han_with_raw_masks(model, ids):
    """The HAN forward pass with the masks passed to the GRUs as they are."""
    batch, sentences, words = ids.shape
    word_ids = ids.reshape(-1, words)
    word_mask = word_ids != 0
    x = model.word_encoder(model.embedding(word_ids), mask=word_mask)
    vectors = model.word_attention(x, mask=word_mask)
    vectors = keras.ops.reshape(vectors, (batch, sentences, -1))
    sentence_mask = word_mask.reshape(batch, sentences, words).any(axis=-1)
    x = model.sentence_encoder(vectors, mask=sentence_mask)
    document = model.sentence_attention(x, mask=sentence_mask)
    return model.output_layer(document)


def bilstm_with_raw_mask(model, ids):
    mask = ids != 0
    x = model.encoder(model.embedding(ids), mask=mask)
    return model.output_layer(model.attention(x, mask=mask))


@pytest.mark.parametrize(
    "build, reference, shape",
    [
        (han, han_with_raw_masks, (4, 5, 6)),
        (bilstm, bilstm_with_raw_mask, (6, 9)),
    ],
)
@pytest.mark.parametrize("heads", [1, 3])
def test_models_give_what_raw_masks_give(build, reference, shape, heads):
    ids = random_ids(np.random.default_rng(2), shape)
    model = build(heads)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(model(ids)),
        keras.ops.convert_to_numpy(reference(model, ids)),
        rtol=1e-5,
        atol=1e-6,
    )


def _gru():
    return keras.layers.GRU(4, return_sequences=True)


def test_bidirectional_has_the_weights_keras_gives():
    keras.utils.set_random_seed(3)
    expected = keras.layers.Bidirectional(_gru())
    expected.build((2, 5, 3))
    keras.utils.set_random_seed(3)
    layer = bidirectional(_gru(), name="encoder")
    layer.build((2, 5, 3))
    assert layer.backward_layer.go_backwards
    assert not layer.forward_layer.go_backwards
    assert [w.shape for w in layer.weights] == [
        w.shape for w in expected.weights
    ]
    for ours, theirs in zip(layer.weights, expected.weights):
        np.testing.assert_array_equal(
            keras.ops.convert_to_numpy(ours), keras.ops.convert_to_numpy(theirs)
        )
    values = np.random.default_rng(0).normal(size=(2, 5, 3))
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(layer(values)),
        keras.ops.convert_to_numpy(expected(values)),
    )


def test_bidirectional_survives_an_id_seen_earlier_in_a_load():
    """What `load_model` meets when a freed object's address is reused.

    Inside Keras' object-sharing scope (the one `load_model` opens), an
    object whose `id()` was serialised before is taken for a shared object.
    Keras' own `Bidirectional` then gets its forward layer back as the
    backward one and fails; ours is built with those records set aside,
    and they are back afterwards.
    """
    serialization_lib = pytest.importorskip(
        "keras.src.saving.serialization_lib"
    )
    with serialization_lib.ObjectSharingScope():
        rnn = _gru()
        serialization_lib.serialize_keras_object(rnn)
        with pytest.raises(ValueError, match="go_backwards"):
            keras.layers.Bidirectional(rnn)
    with serialization_lib.ObjectSharingScope():
        rnn = _gru()
        serialization_lib.serialize_keras_object(rnn)
        layer = bidirectional(rnn, name="encoder")
        assert serialization_lib.get_shared_object(id(rnn)) is None
        with pytest.raises(ValueError, match="go_backwards"):
            keras.layers.Bidirectional(rnn)
    assert layer.forward_layer is not layer.backward_layer
    assert layer.backward_layer.go_backwards
