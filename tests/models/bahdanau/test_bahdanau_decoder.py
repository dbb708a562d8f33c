"""Tests for the Bahdanau encoder-decoder: decoding, masking, saving."""

import keras
import numpy as np
import pytest

from attention_tf.models.bahdanau.bahdanau_decoder_cell import (
    BahdanauDecoderCell,
)
from attention_tf.models.bahdanau.bahdanau_translator import BahdanauTranslator
from attention_tf.samplers import length_penalty

SOURCE_VOCABULARY, TARGET_VOCABULARY, START, END = 23, 19, 2, 3


def make_model(cell_type="gru", seed=0):
    keras.utils.set_random_seed(seed)
    model = BahdanauTranslator(
        SOURCE_VOCABULARY,
        TARGET_VOCABULARY,
        START,
        END,
        embedding_dim=6,
        encoder_units=5,
        decoder_units=7,
        attention_units=4,
        output_units=5,
        cell_type=cell_type,
    )
    model.build()
    return model


def random_batch(seed=0, batch=4, source_time=6, target_time=5):
    rng = np.random.default_rng(seed)
    source = rng.integers(4, SOURCE_VOCABULARY, size=(batch, source_time))
    lengths = [source_time, 1, source_time - 2, 3][:batch]
    for row, length in enumerate(lengths):
        source[row, length:] = 0
    target = rng.integers(4, TARGET_VOCABULARY, size=(batch, target_time))
    target[:, 0] = START
    return source.astype("int32"), target.astype("int32")


@pytest.mark.parametrize("cell_type", ["gru", "lstm"])
def test_step_by_step_decoding_equals_teacher_forcing(cell_type):
    model = make_model(cell_type)
    source, target = random_batch()
    teacher_forced = keras.ops.convert_to_numpy(model((source, target)))
    annotations, projected, mask, states = model.encode(source)
    for i in range(target.shape[1]):
        logits, states, _ = model.decode_step(
            target[:, i], states, annotations, projected, mask
        )
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(logits),
            teacher_forced[:, i],
            rtol=1e-5,
            atol=1e-5,
        )


def test_greedy_decode_feeds_back_its_own_tokens():
    model = make_model()
    source, _ = random_batch()
    tokens, scores, weights = map(
        keras.ops.convert_to_numpy, model.greedy_decode(source, max_length=6)
    )
    # Replaying the greedy tokens with teacher forcing gives the same argmax
    # and the same summed log-probability.
    target = np.concatenate([np.full((4, 1), START), tokens[:, :-1]], axis=1)
    logits = keras.ops.convert_to_numpy(model((source, target)))
    log_probs = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    for row in range(4):
        length = 6
        if END in tokens[row]:
            length = list(tokens[row]).index(END) + 1
            assert (tokens[row, length:] == 0).all()
            assert (weights[row, length:] == 0).all()
        np.testing.assert_array_equal(
            log_probs[row, :length].argmax(-1), tokens[row, :length]
        )
        expected = log_probs[row, np.arange(length), tokens[row, :length]].sum()
        np.testing.assert_allclose(scores[row], expected, rtol=1e-4)
        np.testing.assert_allclose(
            weights[row, :length].sum(-1), 1.0, rtol=1e-5
        )
        source_length = (source[row] != 0).sum()
        assert (weights[row, :, source_length:] == 0).all()


@pytest.mark.parametrize("cell_type", ["gru", "lstm"])
def test_beam_width_one_equals_greedy(cell_type):
    model = make_model(cell_type, seed=3)
    source, _ = random_batch(seed=5)
    greedy = model.greedy_decode(source, max_length=7)
    beam = model.beam_search(source, beam_width=1, max_length=7)
    for g, b in zip(greedy, beam):
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(g),
            keras.ops.convert_to_numpy(b),
            rtol=1e-5,
            atol=1e-6,
        )


def test_beam_search_scores_at_least_greedy_in_ranking():
    model = make_model(seed=4)
    source, _ = random_batch(seed=6)
    alpha = 0.6
    results = {}
    for name, (tokens, scores, _) in {
        "greedy": model.greedy_decode(source, max_length=8),
        "beam": model.beam_search(
            source, beam_width=5, max_length=8, alpha=alpha
        ),
    }.items():
        # Steps up to and including the end token: an untrained model may
        # emit the padding id 0 before it, so counting non-zero ids would
        # undercount (it did with Keras 3.5's initial weights).
        ended = keras.ops.convert_to_numpy(tokens) == END
        lengths = np.where(ended.any(-1), ended.argmax(-1) + 1, 8)
        results[name] = keras.ops.convert_to_numpy(
            scores
        ) / keras.ops.convert_to_numpy(length_penalty(lengths, alpha))
    # Beam search explores a superset of the greedy path.
    assert (results["beam"] >= results["greedy"] - 1e-5).all()


def test_masked_source_padding_changes_nothing():
    model = make_model()
    source, target = random_batch()
    padded = np.pad(source, ((0, 0), (0, 4)))
    for short, long in [
        (model((source, target)), model((padded, target))),
        (model.greedy_decode(source, 6)[0], model.greedy_decode(padded, 6)[0]),
        (
            model.beam_search(source, 3, 6)[1],
            model.beam_search(padded, 3, 6)[1],
        ),
    ]:
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(short),
            keras.ops.convert_to_numpy(long),
            rtol=1e-5,
            atol=1e-6,
        )
    weights = keras.ops.convert_to_numpy(model.greedy_decode(padded, 6)[2])
    assert (weights[:, :, source.shape[1] :] == 0).all()


def test_training_masks_target_padding():
    model = make_model()
    source, target = random_batch()
    labels = np.concatenate([target[:, 1:], np.full((4, 1), END)], axis=1)
    loss = keras.losses.SparseCategoricalCrossentropy(
        from_logits=True, ignore_class=0
    )
    logits = model((source, target))
    labels_padded = labels.copy()
    labels_padded[:, -2:] = 0
    # Changing logits where the labels are padding leaves the loss alone.
    noisy = keras.ops.convert_to_numpy(logits).copy()
    noisy[:, -2:] += 100.0
    assert np.isclose(
        float(loss(labels_padded, logits)), float(loss(labels_padded, noisy))
    )


def test_saved_model_reloads_in_safe_mode(tmp_path):
    model = make_model("lstm")
    source, target = random_batch()
    path = tmp_path / "model.keras"
    model.save(path)
    reloaded = keras.saving.load_model(path, safe_mode=True)
    assert isinstance(reloaded, BahdanauTranslator)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(model((source, target))),
        keras.ops.convert_to_numpy(reloaded((source, target))),
        rtol=1e-6,
    )
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(model.beam_search(source, 2, 5)[0]),
        keras.ops.convert_to_numpy(reloaded.beam_search(source, 2, 5)[0]),
    )


def test_source_projection_runs_once_per_sentence():
    model = make_model()
    source, target = random_batch()
    calls = []
    project = model.decoder_cell.attention.project_values
    model.decoder_cell.attention.project_values = lambda v: (
        calls.append(1) or project(v)
    )
    model((source, target))
    assert calls == [1]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"cell_type": "rnn"}, "cell_type"),
        ({"encoder_units": 0}, "encoder_units"),
        ({"end_token_id": 19}, "end_token_id"),
        ({"dropout": 1.0}, "dropout"),
    ],
)
def test_invalid_arguments(kwargs, match):
    arguments = dict(
        source_vocabulary_size=5,
        target_vocabulary_size=19,
        start_token_id=2,
        end_token_id=3,
    )
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=match):
        BahdanauTranslator(**arguments)


def test_invalid_decoding_arguments():
    model = make_model()
    source, _ = random_batch()
    with pytest.raises(ValueError, match="beam_width"):
        model.beam_search(source, beam_width=0)
    with pytest.raises(ValueError, match="source"):
        model.greedy_decode(source[0])
    with pytest.raises(ValueError, match="cell_type"):
        BahdanauDecoderCell(4, 4, cell_type="rnn")


def test_generate_is_greedy_at_width_one_and_beam_above():
    model = make_model(seed=2)
    source, _ = random_batch(seed=3)
    pairs = [
        (model.generate(source, 6), model.greedy_decode(source, 6)),
        (
            model.generate(source, 6, beam_width=3, alpha=0.9),
            model.beam_search(source, 3, 6, alpha=0.9),
        ),
    ]
    for generated, expected in pairs:
        for a, b in zip(generated, expected):
            np.testing.assert_array_equal(
                keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b)
            )


def test_length_penalties_share_one_graph_per_beam_width():
    model = make_model(seed=5)
    source, _ = random_batch(seed=7)
    for alpha in (0.0, 0.8, 2.5, 0.8):
        tokens, scores, weights = map(
            keras.ops.convert_to_numpy, model.beam_search(source, 3, 7, alpha)
        )
        # The sampler run eagerly with `alpha` a Python float: what a graph
        # with the penalty as a constant computes.
        expected = map(
            keras.ops.convert_to_numpy, model._beam(source, 7, 3, alpha)
        )
        for got, want in zip((tokens, scores, weights), expected):
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert len(model._compiled) == 1
    model.beam_search(source, 2, 7, 0.8)
    assert len(model._compiled) == 2
