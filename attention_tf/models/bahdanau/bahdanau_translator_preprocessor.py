"""Sentences <-> the token ids `BahdanauTranslator` reads and writes."""

import warnings

import numpy as np

from attention_tf.data import parallel_text
from attention_tf.preprocessing.sentence_piece_tokenizer import (
    END_ID,
    START_ID,
    UNK_ID,
    SentencePieceTokenizer,
)


class BahdanauTranslatorPreprocessor:
    """Tokenisers and length limits of one translator, for training and use.

    The same object prepares the training batches and the sentences a user
    gives `Translator.translate`, so the two cannot tokenise differently.

    1. Sources: `source_tokenizer` ids, 0-padded into `[batch, time]`.
    2. Targets: `[start] ids [end]` for teacher forcing.
    3. Outputs: ids up to the end id, detokenised into text.

    Args:
        source_tokenizer, target_tokenizer: `SentencePieceTokenizer`s; the
            target one must be lossless (not `"words"`) to print real text.
        max_source_length: Most source tokens a sentence may have.
        max_target_length: Most target tokens the decoder emits, end
            included.

    Example:

    >>> pairs = [("tres de mayo", "3 May"), ("cuatro de junio", "4 June")]
    >>> preprocessor = BahdanauTranslatorPreprocessor.adapt(
    ...     pairs * 10, "words", 50, "char", 50, 8, 10)
    >>> preprocessor.encode_sources(["tres de junio"]).shape
    (1, 3)
    """

    def __init__(
        self,
        source_tokenizer,
        target_tokenizer,
        max_source_length,
        max_target_length,
    ):
        for name, value in (
            ("max_source_length", max_source_length),
            ("max_target_length", max_target_length),
        ):
            if not isinstance(value, int) or value < 1:
                raise ValueError(
                    f"`{name}` must be a positive integer. "
                    f"Received: {name}={value!r}"
                )
        if target_tokenizer.model_type == "words":
            raise ValueError(
                "The target tokenizer must be lossless (unigram, bpe or "
                "char): a words model cannot write text back."
            )
        self.source_tokenizer = source_tokenizer
        self.target_tokenizer = target_tokenizer
        self.max_source_length = max_source_length
        self.max_target_length = max_target_length
        self.start_token_id = START_ID
        self.end_token_id = END_ID

    @classmethod
    def adapt(
        cls,
        pairs,
        source_model,
        source_vocabulary_size,
        target_model,
        target_vocabulary_size,
        max_source_length,
        max_target_length,
    ):
        """Trains both tokenisers on `(source, target)` training pairs."""
        return cls(
            SentencePieceTokenizer.train(
                [s for s, _ in pairs], source_vocabulary_size, source_model
            ),
            SentencePieceTokenizer.train(
                [t for _, t in pairs], target_vocabulary_size, target_model
            ),
            max_source_length,
            max_target_length,
        )

    @property
    def source_vocabulary_size(self):
        return self.source_tokenizer.vocabulary_size

    @property
    def target_vocabulary_size(self):
        return self.target_tokenizer.vocabulary_size

    def encode_sources(self, texts, truncate=False):
        """Padded source ids `[len(texts), time]`.

        Raises:
            ValueError: a text has no tokens, or, unless `truncate`, more
                than `max_source_length` (the message names it).
        """
        sequences = self.source_tokenizer.tokenize(texts)
        for index, (text, ids) in enumerate(zip(texts, sequences)):
            if not len(ids):
                raise ValueError(f"Empty input: {text!r} has no tokens.")
            if len(ids) > self.max_source_length and not truncate:
                raise ValueError(
                    f"Input {index + 1} has {len(ids)} tokens; this model "
                    f"reads at most {self.max_source_length}. Split it into "
                    f"shorter sentences: {text[:60]!r}..."
                )
        if self.source_tokenizer.model_type == "words":
            self._warn_unknown(texts, sequences)
        return parallel_text.pad(
            [ids[: self.max_source_length] for ids in sequences]
        )

    def _warn_unknown(self, texts, sequences):
        unknown = [
            word
            for text, ids in zip(texts, sequences)
            for word, i in zip(parallel_text.standardize(text).split(), ids)
            if i == UNK_ID
        ]
        if unknown:
            warnings.warn(
                f"Unknown words, read as [UNK]: {unknown}", stacklevel=3
            )

    def training_pairs(self, pairs):
        """`(sources, targets, dropped)` id lists for teacher forcing.

        Targets are `[start] ids [end]`. Pairs over the length limits or
        with an empty side are left out and counted in `dropped`.
        """
        sources = self.source_tokenizer.tokenize([s for s, _ in pairs])
        targets = [
            np.concatenate([[START_ID], ids, [END_ID]]).astype("int32")
            for ids in self.target_tokenizer.tokenize([t for _, t in pairs])
        ]
        keep = [
            i
            for i, (s, t) in enumerate(zip(sources, targets))
            if 0 < len(s) <= self.max_source_length
            and 2 < len(t) <= self.max_target_length + 1
        ]
        return (
            [sources[i] for i in keep],
            [targets[i] for i in keep],
            len(pairs) - len(keep),
        )

    def decode_targets(self, ids):
        """Texts of output id rows (each up to its end id)."""
        return self.target_tokenizer.detokenize(ids)

    def source_tokens(self, text):
        """The source tokens of one text, as the attention sees them."""
        if self.source_tokenizer.model_type == "words":
            # One id per word: the words themselves, unknown ones included.
            words = parallel_text.standardize(text).split()
            return words[: self.max_source_length]
        (ids,) = self.source_tokenizer.tokenize([text])
        return self.source_tokenizer.pieces(ids[: self.max_source_length])

    def target_tokens(self, ids):
        """Output tokens of one id row, with `[end]` if it ended."""
        tokens = self.target_tokenizer.pieces(ids)
        ended = END_ID in [int(i) for i in ids]
        return tokens + [parallel_text.END_TOKEN] if ended else tokens

    def get_config(self):
        return {
            "source_tokenizer": self.source_tokenizer.get_config(),
            "target_tokenizer": self.target_tokenizer.get_config(),
            "max_source_length": self.max_source_length,
            "max_target_length": self.max_target_length,
        }

    @classmethod
    def from_config(cls, config):
        return cls(
            SentencePieceTokenizer.from_config(config["source_tokenizer"]),
            SentencePieceTokenizer.from_config(config["target_tokenizer"]),
            config["max_source_length"],
            config["max_target_length"],
        )
