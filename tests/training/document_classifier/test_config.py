import dataclasses

import pytest

from attention_tf.cli import build_parser
from attention_tf.commands.document_classifier import config_from_args
from attention_tf.training.document_classifier.config import (
    FULL,
    PRESETS,
    QUICK,
    RECIPE_FIELDS,
)


def test_presets_are_named_and_frozen():
    assert PRESETS == {"quick": QUICK, "full": FULL, "vat": PRESETS["vat"]}
    assert (QUICK.preset, QUICK.quick, FULL.quick) == ("quick", True, False)
    assert (QUICK.max_length, FULL.max_length) == (256, 600)
    with pytest.raises(dataclasses.FrozenInstanceError):
        QUICK.epochs = 5
    assert set(QUICK.recipe()) == set(RECIPE_FIELDS)


@pytest.mark.parametrize(
    "change, match",
    [
        (dict(epochs=0), "--epochs must be >= 1. Received: 0"),
        (dict(patience=0), "--patience must be >= 1"),
        (dict(batch_tokens=0), "--batch-tokens must be >= 1"),
        (dict(unlabelled_size=-1), "unlabelled_size must be >= 0"),
        (dict(max_length=2.5), "--max-length must be an integer"),
        (dict(word_vector_epochs=-1), "--word-vector-epochs must be >= 0"),
        (dict(learning_rate=0.0), "--learning-rate must be > 0"),
        (dict(test_share=1.0), r"--test-share must be in \(0, 1\)"),
        (dict(architecture="cnn"), "--architecture must be one of"),
        (dict(dropout=1.0), r"dropout must be in \[0, 1\)"),
        (dict(attention_heads=0), "--attention-heads must be >= 1"),
        (dict(attention_heads=2.0), "--attention-heads must be an integer"),
        (dict(attention_dropout=1.0), r"attention_dropout must be in \[0"),
        (dict(diversity_penalty=-0.1), "--diversity-penalty must be >= 0"),
        (
            dict(freeze_embeddings=True, word_vector_epochs=0),
            "--freeze-embeddings needs word vectors",
        ),
    ],
)
def test_replace_checks_the_result(change, match):
    with pytest.raises(ValueError, match=match):
        dataclasses.replace(QUICK, **change)


def test_command_line_overrides_only_the_flags_given():
    parser = build_parser()
    args = parser.parse_args(
        ["train-doc-classifier", "--quick", "--epochs", "2", "--seed", "7"]
    )
    assert config_from_args(args) == dataclasses.replace(
        QUICK, epochs=2, seed=7
    )
    args = parser.parse_args(["train-doc-classifier", "--skip-bad-rows"])
    assert config_from_args(args) == dataclasses.replace(
        FULL, skip_bad_rows=True
    )


def test_attention_flags_reach_the_recipe():
    args = build_parser().parse_args(
        [
            "train-doc-classifier",
            "--quick",
            "--attention-heads",
            "4",
            "--attention-dropout",
            "0.1",
            "--diversity-penalty",
            "0.05",
        ]
    )
    config = config_from_args(args)
    assert config == dataclasses.replace(
        QUICK, attention_heads=4, attention_dropout=0.1, diversity_penalty=0.05
    )
    recipe = config.recipe()
    assert (recipe["attention_heads"], recipe["diversity_penalty"]) == (4, 0.05)
    # Left out, the flags keep today's single-head model.
    default = config_from_args(
        build_parser().parse_args(["train-doc-classifier", "--quick"])
    )
    assert (default.attention_heads, default.attention_dropout) == (1, 0.0)
    assert default.diversity_penalty == 0.0
