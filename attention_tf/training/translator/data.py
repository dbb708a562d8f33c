"""The sentence pairs of a translator recipe, split into train, validation, test."""

import dataclasses

import numpy as np

from attention_tf.data import parallel_text
from attention_tf.training.translator.config import DEFAULT_TEST_SIZE


@dataclasses.dataclass(frozen=True)
class TranslationData:
    """Raw `(source, target)` pairs of one run; no source on two sides."""

    train: list
    validation: list
    test: list


def held_out_size(requested, num_pairs):
    """`requested` pairs, but at most a tenth of a file (at least one)."""
    return max(1, min(requested, num_pairs // 10))


def load_translation_data(recipe, data=None):
    """Loads and splits the pairs of `recipe` (a `TranslatorConfig`).

    1. Reads the pairs: the spa-eng file in `recipe.direction`, or
       `recipe.num_generated` generated dates.
    2. Test split: pairs grouped by source (standardised), or by date for
       the dates task, so no test source or test date is seen in training.
       With the default size and seed this is the fixed 2,000-pair spa-eng
       test split.
    3. Validation split: the same way, out of the rest.
    4. `recipe.num_train` caps the training pairs (a random subset).
    """
    if recipe.dataset == "dates":
        from attention_tf.data import dates

        pairs = dates.generate(recipe.num_generated, seed=recipe.seed)

        def key(pair):
            return pair[1]
    else:
        from attention_tf.data import spa_eng

        pairs = spa_eng.load_pairs(data, recipe.direction)

        def key(pair):
            return parallel_text.standardize(pair[0])

    test_size = recipe.test_size or held_out_size(DEFAULT_TEST_SIZE, len(pairs))
    rest, test = parallel_text.split_pairs(pairs, test_size, recipe.seed, key)
    validation = []
    if recipe.validation_size:
        size = held_out_size(recipe.validation_size, len(pairs))
        rest, validation = parallel_text.split_pairs(
            rest, size, recipe.seed + 1, key
        )
    if recipe.num_train and recipe.num_train < len(rest):
        order = np.random.default_rng(recipe.seed).permutation(len(rest))
        rest = [rest[i] for i in order[: recipe.num_train]]
    return TranslationData(rest, validation, test)
