"""A trained translator: model, preprocessor and decoding settings together."""

import dataclasses
import json
import os

import keras
import numpy as np

from attention_tf.models.bahdanau.bahdanau_translator import BahdanauTranslator
from attention_tf.models.bahdanau.bahdanau_translator_preprocessor import (
    BahdanauTranslatorPreprocessor,
)
from attention_tf.utils.atomic_files import (
    write_atomically,
    write_json_atomically,
)

MODEL_FILE, SETTINGS_FILE = "model.keras", "translator.json"


@dataclasses.dataclass(frozen=True)
class Translation:
    """One translated sentence and the attention that produced it.

    Attributes:
        text: The translation, detokenised.
        source_tokens: The source tokens the model read.
        target_tokens: The tokens it wrote, `[end]` last if it ended.
        weights: `[len(target_tokens), len(source_tokens)]` attention: row
            `i` is the source distribution used for output token `i`.
    """

    text: str
    source_tokens: list
    target_tokens: list
    weights: np.ndarray


class Translator:
    """Translates raw sentences with a `BahdanauTranslator`.

    1. The preprocessor turns the sentences into source ids.
    2. Sentences of similar length are decoded together, greedily or with
       beam search (`BahdanauTranslator.generate`).
    3. The output ids become text again; each result keeps its tokens and
       attention weights (for plots and serving).

    Args:
        model: A `BahdanauTranslator`.
        preprocessor: Its `BahdanauTranslatorPreprocessor`.
        beam_width: Default beam width (1: greedy), e.g. chosen on a
            validation split.
        alpha: Default length-penalty exponent of beam search.
        info: A dict saved alongside (data set, direction, ...).

    Example (a run folder written by `attention-tf train-translator`):

        translator = Translator.load("runs/decoder")
        translator.translate(["¿Dónde está la biblioteca?"])[0].text
    """

    def __init__(self, model, preprocessor, beam_width=1, alpha=0.6, info=None):
        if not isinstance(beam_width, int) or beam_width < 1:
            raise ValueError(
                "`beam_width` must be a positive integer. "
                f"Received: beam_width={beam_width!r}"
            )
        self.model = model
        self.preprocessor = preprocessor
        self.beam_width = beam_width
        self.alpha = float(alpha)
        self.info = dict(info or {})

    def translate(
        self, texts, beam=None, alpha=None, batch_size=200, truncate=False
    ):
        """Translates a list of sentences; returns `Translation`s in order.

        Args:
            texts: Sentences (strings).
            beam: Beam width, 1 for greedy; default `self.beam_width`.
            alpha: Length-penalty exponent; default `self.alpha`.
            batch_size: Sentences decoded together.
            truncate: Cut sentences over the length limit instead of
                raising `ValueError`.
        """
        if isinstance(texts, str) or not len(texts):
            raise ValueError(
                "`texts` must be a non-empty list of strings. "
                f"Received: {texts!r}"
            )
        beam = self.beam_width if beam is None else beam
        alpha = self.alpha if alpha is None else alpha
        source_ids = self.preprocessor.encode_sources(texts, truncate)
        tokens, weights = self.decode_ids(source_ids, beam, alpha, batch_size)
        outputs = self.preprocessor.decode_targets(tokens)
        results = []
        for text, output, row, w in zip(texts, outputs, tokens, weights):
            source = self.preprocessor.source_tokens(text)
            target = self.preprocessor.target_tokens(row)
            results.append(
                Translation(
                    output, source, target, w[: len(target), : len(source)]
                )
            )
        return results

    def decode_ids(self, source_ids, beam, alpha, batch_size=200):
        """Output ids and attention of padded source ids, batched by length."""
        lengths = (source_ids != 0).sum(1)
        order = np.argsort(-lengths, kind="stable")
        tokens, weights = [None] * len(order), [None] * len(order)
        for first in range(0, len(order), batch_size):
            rows = order[first : first + batch_size]
            batch = source_ids[rows, : max(1, lengths[rows].max())]
            out = self.model.generate(
                batch, self.preprocessor.max_target_length, beam, alpha
            )
            batch_tokens, _, batch_weights = map(
                keras.ops.convert_to_numpy, out
            )
            for row, t, w in zip(rows, batch_tokens, batch_weights):
                tokens[row], weights[row] = t, w
        return tokens, weights

    def save(self, folder):
        """Writes `model.keras` and `translator.json` into `folder`."""
        os.makedirs(folder, exist_ok=True)
        write_atomically(
            os.path.join(folder, MODEL_FILE), self.model.save, suffix=".keras"
        )
        write_json_atomically(
            os.path.join(folder, SETTINGS_FILE),
            {
                "preprocessor": self.preprocessor.get_config(),
                "beam_width": self.beam_width,
                "alpha": self.alpha,
                "info": self.info,
            },
        )

    @classmethod
    def load(cls, folder):
        """The translator saved in `folder` by `save` (or `train-translator`)."""
        paths = [os.path.join(folder, n) for n in (MODEL_FILE, SETTINGS_FILE)]
        missing = [p for p in paths if not os.path.isfile(p)]
        if missing:
            raise ValueError(
                f"{folder!r} holds no trained translator (missing "
                f"{', '.join(os.path.basename(p) for p in missing)}): "
                "train one with `attention-tf train-translator --out FOLDER`."
            )
        with open(paths[1], encoding="utf-8") as handle:
            settings = json.load(handle)
        model = keras.saving.load_model(paths[0], safe_mode=True)
        if not isinstance(model, BahdanauTranslator):
            raise ValueError(
                f"{paths[0]!r} is a {type(model).__name__}, not a translator."
            )
        return cls(
            model,
            BahdanauTranslatorPreprocessor.from_config(
                settings["preprocessor"]
            ),
            settings["beam_width"],
            settings["alpha"],
            settings.get("info"),
        )
