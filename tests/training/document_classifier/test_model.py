import dataclasses

import keras
import numpy as np
import pytest

from attention_tf.models import (
    BiLSTMAttentionClassifier,
    HierarchicalAttentionClassifier,
)
from attention_tf.training.document_classifier.config import QUICK
from attention_tf.training.document_classifier.model import (
    build_classifier,
    inference_copy,
)

TINY = dataclasses.replace(
    QUICK, embedding_dim=6, lstm_units=3, attention_units=5, dropout=0.3
)


def _todays_classifier(config, vocabulary_size):
    """The classifier as built before the attention options existed."""
    if config.architecture == "han":
        return HierarchicalAttentionClassifier(
            vocabulary_size,
            2,
            embedding_dim=config.embedding_dim,
            word_units=config.lstm_units,
            sentence_units=config.lstm_units,
            attention_units=config.attention_units,
        )
    return BiLSTMAttentionClassifier(
        vocabulary_size,
        2,
        embedding_dim=config.embedding_dim,
        lstm_units=config.lstm_units,
        attention_units=config.attention_units,
        dropout=config.dropout,
        embedding_dropout=config.embedding_dropout,
    )


def _ids(architecture, seed):
    rng = np.random.default_rng(seed)
    shape = (3, 4, 5) if architecture == "han" else (3, 7)
    ids = rng.integers(1, 20, size=shape)
    # Right padding of varying length, one empty text.
    ids[..., -2:] = 0
    ids[2] = 0
    return ids


def _training_step(classifier, ids, seed):
    """Loss and gradients of one dropout-on step under `seed`."""
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    with tf.GradientTape() as tape:
        probabilities = classifier(ids, training=True)
        loss = keras.losses.sparse_categorical_crossentropy(
            np.array([0, 1, 0]), probabilities
        )
        loss = tf.reduce_mean(loss) + sum(classifier.losses)
    gradients = tape.gradient(loss, classifier.trainable_weights)
    return loss.numpy(), [tf.convert_to_tensor(g).numpy() for g in gradients]


@pytest.mark.parametrize("architecture", ["bilstm", "han"])
def test_default_recipe_builds_todays_model(architecture):
    config = dataclasses.replace(TINY, architecture=architecture)
    # A fresh session each: layer names are numbered per session.
    keras.backend.clear_session()
    keras.utils.set_random_seed(11)
    built = build_classifier(config, 20, 2)
    keras.backend.clear_session()
    keras.utils.set_random_seed(11)
    today = _todays_classifier(config, 20)
    today(np.zeros((1,) * (3 if architecture == "han" else 2), "int32"))
    # Same variables, in the same order, with the same seeded values.
    assert [w.path for w in built.weights] == [w.path for w in today.weights]
    for a, b in zip(built.get_weights(), today.get_weights()):
        np.testing.assert_array_equal(a, b)
    ids = _ids(architecture, 0)
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(built(ids)),
        keras.ops.convert_to_numpy(today(ids)),
    )
    # Training draws the same dropout masks and adds no loss.
    built_loss, built_grads = _training_step(built, ids, 5)
    today_loss, today_grads = _training_step(today, ids, 5)
    assert built_loss == today_loss and not built.losses
    for a, b in zip(built_grads, today_grads):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("architecture", ["bilstm", "han"])
def test_attention_options_reach_every_attention_layer(architecture):
    config = dataclasses.replace(
        TINY,
        architecture=architecture,
        attention_heads=3,
        attention_dropout=0.2,
        diversity_penalty=0.5,
    )
    classifier = build_classifier(config, 20, 2)
    layers = [
        layer
        for layer in classifier._flatten_layers()
        if type(layer).__name__ == "AttentionPooling"
    ]
    assert len(layers) == (2 if architecture == "han" else 1)
    for layer in layers:
        assert (layer.heads, layer.dropout, layer.diversity_penalty) == (
            3,
            0.2,
            0.5,
        )
    ids = _ids(architecture, 1)
    # The penalty joins the training loss; it is finite with an empty text.
    classifier(ids, training=True)
    penalties = [
        float(keras.ops.convert_to_numpy(x)) for x in classifier.losses
    ]
    assert len(penalties) == len(layers)
    assert all(np.isfinite(p) and p >= 0 for p in penalties)
    # Dropout acts in training only: inference is deterministic.
    first, second = (
        keras.ops.convert_to_numpy(classifier(ids)) for _ in range(2)
    )
    np.testing.assert_array_equal(first, second)
    copy = inference_copy(classifier)
    assert copy.get_config() == classifier.get_config()
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(copy(ids)), first, atol=1e-6
    )


@pytest.mark.parametrize("architecture", ["bilstm", "han"])
@pytest.mark.parametrize("freeze", [True, False])
def test_frozen_embeddings_get_no_update(architecture, freeze):
    from attention_tf.training.document_classifier.model import (
        compile_classifier,
    )

    config = dataclasses.replace(
        TINY, architecture=architecture, freeze_embeddings=freeze
    )
    keras.utils.set_random_seed(4)
    classifier = compile_classifier(build_classifier(config, 20, 2), config, 4)
    before = [w.numpy().copy() for w in classifier.weights]
    embeddings = classifier.embedding.embeddings
    assert (
        embeddings.path in {w.path for w in classifier.trainable_weights}
    ) != freeze
    ids = _ids(architecture, 2)
    classifier.fit(ids, np.array([0, 1, 0]), epochs=2, verbose=0)
    changed = {
        w.path
        for w, old in zip(classifier.weights, before)
        if not np.array_equal(w.numpy(), old)
    }
    assert (embeddings.path in changed) != freeze
    # Everything else that trains still does.
    assert any("lstm" in path or "gru" in path for path in changed)
