"""Recipes of `attention-tf train-translator`: one frozen dataclass, named presets.

A recipe holds everything a run depends on: data, tokenisers, model sizes,
training and decoding settings. It is checked once, in `__post_init__`;
the command line changes a preset with `dataclasses.replace`:

>>> recipe = dataclasses.replace(PRESETS["dates-quick"], epochs=2)
>>> recipe.epochs, recipe.target_model
(2, 'char')
"""

import dataclasses

from attention_tf.utils.checks import (
    check_at_least,
    check_between,
    check_choice,
)

DATASETS = ("spa-eng", "dates")
DIRECTIONS = ("spa-eng", "eng-spa")
MODEL_TYPES = ("unigram", "bpe", "char", "words")
CELL_TYPES = ("gru", "lstm")
# The fixed spa-eng test split: 2,000 pairs, smaller files hold out a tenth.
DEFAULT_TEST_SIZE = 2000
_POSITIVE_INTEGERS = (
    "num_generated",
    "source_vocabulary_size",
    "target_vocabulary_size",
    "max_source_length",
    "max_target_length",
    "embedding_dim",
    "encoder_units",
    "decoder_units",
    "attention_units",
    "output_units",
    "batch_size",
    "epochs",
    "beam_width",
)


@dataclasses.dataclass(frozen=True)
class TranslatorConfig:
    """One training run of a `BahdanauTranslator`.

    Args:
        dataset: `"spa-eng"` (Tatoeba) or `"dates"` (generated).
        direction: `"spa-eng"` or `"eng-spa"` (spa-eng only).
        num_generated: Date pairs generated (dates only).
        num_train: Keep at most this many training pairs (None: all).
        test_size: Held-out test pairs; None: 2,000, or a tenth of a
            smaller file. Groups of pairs that share a source stay whole.
        validation_size: Pairs held out of training to choose the beam
            settings on (0: keep `beam_width` and `alpha`); capped at a
            tenth of the pairs.
        source_model, target_model: SentencePiece model kinds (see
            `SentencePieceTokenizer`); the target must be lossless.
        source_vocabulary_size, target_vocabulary_size: Vocabulary caps.
        max_source_length, max_target_length: Token limits; the target one
            counts the end token.
        embedding_dim, encoder_units, decoder_units, attention_units,
            output_units, cell_type, dropout: `BahdanauTranslator` sizes.
        batch_size, learning_rate, epochs, minutes: Training; `minutes`
            caps the time, checked after every batch.
        beam_width, alpha: Beam search settings used unless tuned.
        beam_widths, alphas: Candidates tried on the validation split.
        seed: Seeds the split, the weights and the batch order.
    """

    dataset: str = "spa-eng"
    direction: str = "spa-eng"
    num_generated: int = 22000
    num_train: int | None = None
    test_size: int | None = None
    validation_size: int = 0
    source_model: str = "unigram"
    target_model: str = "unigram"
    source_vocabulary_size: int = 8000
    target_vocabulary_size: int = 8000
    max_source_length: int = 60
    max_target_length: int = 60
    embedding_dim: int = 128
    encoder_units: int = 192
    decoder_units: int = 256
    attention_units: int = 128
    output_units: int = 256
    cell_type: str = "gru"
    dropout: float = 0.1
    batch_size: int = 64
    learning_rate: float = 2e-3
    epochs: int = 30
    minutes: float = 30.0
    beam_width: int = 4
    alpha: float = 0.6
    beam_widths: tuple = ()
    alphas: tuple = ()
    seed: int = 1234

    def __post_init__(self):
        for name, allowed in (
            ("dataset", DATASETS),
            ("direction", DIRECTIONS),
            ("source_model", MODEL_TYPES),
            ("target_model", MODEL_TYPES[:3]),
            ("cell_type", CELL_TYPES),
        ):
            check_choice(name, getattr(self, name), allowed)
        for name in _POSITIVE_INTEGERS:
            check_at_least(name, getattr(self, name), 1)
        for name in ("num_train", "test_size"):
            check_at_least(name, getattr(self, name), 1, optional=True)
        for width in self.beam_widths:
            check_at_least("beam_widths", width, 1)
        check_at_least("validation_size", self.validation_size, 0)
        check_at_least("dropout", self.dropout, 0.0)
        if self.dropout >= 1.0:
            raise ValueError(f"dropout must be < 1. Received: {self.dropout!r}")
        for name in ("learning_rate", "minutes"):
            check_between(name, getattr(self, name), 0.0, float("inf"))
        for alpha in (self.alpha, *self.alphas):
            check_at_least("alpha", alpha, 0.0)

    @property
    def model_arguments(self):
        """The `BahdanauTranslator` keyword arguments of this recipe."""
        names = (
            "embedding_dim",
            "encoder_units",
            "decoder_units",
            "attention_units",
            "output_units",
            "cell_type",
            "dropout",
        )
        return {name: getattr(self, name) for name in names}


# 4,000 SentencePiece units per language rather than 8,000: the output
# softmax is the largest part of a training step, and on 2 CPU cores the
# smaller vocabulary trains about 28% more tokens per CPU second for
# sentences only 5-9% longer (benchmarks/decoder.py), so more epochs fit
# in the time budget; small corpora also tend to favour small subword
# vocabularies.
_SPA_ENG = TranslatorConfig(
    source_vocabulary_size=4000,
    target_vocabulary_size=4000,
    validation_size=1000,
    beam_widths=(3, 5, 8),
    alphas=(0.4, 0.8, 1.2),
)
_DATES = TranslatorConfig(
    dataset="dates",
    source_model="words",
    target_model="char",
    source_vocabulary_size=1000,
    target_vocabulary_size=1000,
    max_source_length=16,
    max_target_length=11,
    embedding_dim=32,
    encoder_units=64,
    decoder_units=64,
    attention_units=32,
    output_units=64,
    dropout=0.0,
    learning_rate=3e-3,
    epochs=12,
    minutes=1.0,
)
PRESETS = {
    "spa-eng-full": _SPA_ENG,
    "spa-eng-quick": dataclasses.replace(
        _SPA_ENG,
        num_train=20000,
        minutes=1.0,
        epochs=1,
        validation_size=0,
        beam_widths=(),
        alphas=(),
    ),
    "dates-full": _DATES,
    "dates-quick": dataclasses.replace(_DATES, epochs=4),
}


def preset(dataset, quick=False):
    """The named preset of `dataset` (`"spa-eng"` or `"dates"`)."""
    if dataset not in DATASETS:
        raise ValueError(
            f"`dataset` must be one of {DATASETS}. Received: {dataset!r}"
        )
    return PRESETS[f"{dataset}-{'quick' if quick else 'full'}"]
