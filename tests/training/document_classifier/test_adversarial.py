"""The recipe's virtual adversarial training: preset, flags, inputs, model."""

import dataclasses

import keras
import numpy as np
import pytest
from keras import ops

from attention_tf.cli import build_parser
from attention_tf.commands.document_classifier import config_from_args
from attention_tf.data.length_buckets import EpochOrder
from attention_tf.training.adversarial.adversarial_trainer import (
    AdversarialTrainer,
)
from attention_tf.training.document_classifier.config import (
    ADDED_SETTINGS,
    FULL,
    PRESETS,
    QUICK,
)
from attention_tf.training.document_classifier.inputs import (
    Batches,
    with_unlabelled,
    word_frequencies,
)
from attention_tf.training.document_classifier.model import (
    adversarial_trainer,
    build_classifier,
    inference_copy,
)
from attention_tf.training.run_state import fingerprint

TINY = dataclasses.replace(
    QUICK,
    embedding_dim=6,
    lstm_units=3,
    attention_units=5,
    vat_weight=1.0,
    normalize_embeddings=True,
    perturbation_norm=2.0,
)


def test_vat_preset_is_full_with_vat():
    vat = PRESETS["vat"]
    assert vat.adversarial and not FULL.adversarial
    assert (
        dataclasses.replace(
            vat, vat_weight=0.0, normalize_embeddings=False, preset="full"
        )
        == FULL
    )


@pytest.mark.parametrize(
    "flags, expected",
    [
        (["--preset", "vat"], PRESETS["vat"]),
        (["--preset", "quick"], QUICK),
        (
            ["--quick", "--vat-weight", "1", "--normalize-embeddings"],
            dataclasses.replace(
                QUICK, vat_weight=1.0, normalize_embeddings=True
            ),
        ),
    ],
)
def test_command_line_picks_the_preset(flags, expected):
    args = build_parser().parse_args(["train-doc-classifier", *flags])
    assert config_from_args(args) == expected


def test_quick_and_another_preset_conflict():
    args = build_parser().parse_args(
        ["train-doc-classifier", "--quick", "--preset", "vat"]
    )
    with pytest.raises(ValueError, match="--quick is --preset quick"):
        config_from_args(args)


@pytest.mark.parametrize(
    "name", ["vat_weight", "adversarial_weight", "perturbation_norm"]
)
def test_negative_weights_are_refused(name):
    flag = "--" + name.replace("_", "-")
    with pytest.raises(ValueError, match=f"{flag} must be >= 0"):
        dataclasses.replace(QUICK, **{name: -1.0})


def test_runs_started_before_vat_keep_their_fingerprint():
    settings = fingerprint(FULL, [], ADDED_SETTINGS)["settings"]
    assert not set(ADDED_SETTINGS) & set(settings)
    # Set, they count.
    vat = fingerprint(PRESETS["vat"], [], ADDED_SETTINGS)["settings"]
    assert vat["vat_weight"] == 1.0 and vat["normalize_embeddings"]


class _Identity:
    """A preprocessor whose last step leaves the ids as they are."""

    def model_input(self, ids, sentence_multiple=1):
        return ids


def test_each_training_batch_carries_a_pool_batch_shuffled_per_epoch():
    import tensorflow as tf

    labelled = tf.data.Dataset.from_tensor_slices(
        (np.arange(1, 9).reshape(4, 2), np.arange(4))
    ).batch(2)
    order = EpochOrder(4, seed=0)
    batches = Batches({"train": labelled}, order, [4], [2], 0.0)
    pool = [np.array([i, i, i]) for i in range(10, 16)]
    config = dataclasses.replace(TINY, batch_size=2)
    zipped = with_unlabelled(config, batches, pool, _Identity())
    zipped = zipped.datasets["train"]
    epochs = []
    for epoch in range(2):
        order.epoch = epoch
        steps = list(zipped.as_numpy_iterator())
        assert len(steps) == 2
        for inputs, _ in steps:
            assert set(inputs) == {"token_ids", "unlabelled_token_ids"}
            assert inputs["unlabelled_token_ids"].shape == (2, 4)
        epochs.append([s[0]["unlabelled_token_ids"][:, 0] for s in steps])
    seen = np.concatenate(epochs[0])
    assert len(set(seen)) == 4 and set(seen) <= set(range(10, 16))
    assert not np.array_equal(np.concatenate(epochs[1]), seen)


def test_word_frequencies_count_every_id():
    counts = word_frequencies([np.array([1, 2, 2]), np.array([4])], 6)
    np.testing.assert_array_equal(counts, [0, 1, 2, 0, 1, 0])


def test_trainer_takes_the_embedding_dropout_and_gives_it_back():
    keras.utils.set_random_seed(0)
    classifier = build_classifier(TINY, 20, 2)
    trainer = adversarial_trainer(TINY, classifier, np.arange(20))
    assert isinstance(trainer, AdversarialTrainer)
    assert trainer.embedding_dropout == TINY.embedding_dropout > 0
    assert trainer.classifier.embedding_dropout == 0.0
    assert trainer.epsilon == 2.0 and trainer.vat_weight == 1.0
    ids = np.array([[3, 5, 7, 0], [2, 0, 0, 0]])
    # Same weights: without normalisation the two agree.
    plain = adversarial_trainer(
        dataclasses.replace(TINY, normalize_embeddings=False), classifier, None
    )
    np.testing.assert_allclose(
        ops.convert_to_numpy(plain(ids)),
        ops.convert_to_numpy(classifier(ids)),
        atol=1e-6,
    )
    # What a run saves: the classifier alone, normalisation baked in.
    copy = inference_copy(trainer)
    assert copy.get_config() == classifier.get_config()
    np.testing.assert_allclose(
        ops.convert_to_numpy(copy(ids)),
        ops.convert_to_numpy(trainer(ids)),
        atol=1e-6,
    )
    assert not np.allclose(
        ops.convert_to_numpy(copy(ids)), ops.convert_to_numpy(classifier(ids))
    )
