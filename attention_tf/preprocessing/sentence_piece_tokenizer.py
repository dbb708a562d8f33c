"""Text <-> token ids with a SentencePiece model (Kudo and Richardson 2018)."""

import base64
import unicodedata

import numpy as np

from attention_tf.data import parallel_text

# Ids fixed in every model we train, so that 0 is the padding the
# translator masks and the start/end ids are known without a lookup.
PAD_ID, UNK_ID, START_ID, END_ID = 0, 1, 2, 3
MODEL_TYPES = ("unigram", "bpe", "char", "words")


class SentencePieceTokenizer:
    """A trained SentencePiece model and how text is prepared for it.

    Two kinds of model:

    - lossless (`"unigram"`, `"bpe"`, `"char"`): case and punctuation are
      kept, and characters never seen in training are spelt in UTF-8 bytes
      (`byte_fallback`), so `detokenize(tokenize(s)) == normalize(s)` for
      every string, `normalize` being Unicode NFC, then runs of whitespace
      (`str.split`) made single spaces and stripped at both ends;
    - `"words"`: a SentencePiece word model over
      `parallel_text.standardize(s)` (lowercased, NFKC, punctuation split
      off): one id per word, unknown words read as id 1. Not reversible; for
      source sides only.

    Ids: 0 padding, 1 unknown, 2 start, 3 end, then the pieces.

    Args:
        proto: The serialized SentencePiece model (bytes).
        model_type: One of `MODEL_TYPES`, the kind `proto` was trained as.

    Example:

    >>> tokenizer = SentencePieceTokenizer.train(
    ...     ["Hello world.", "Hello there!"] * 20, 40, model_type="char")
    >>> ids = tokenizer.tokenize(["Hello  world!"])
    >>> tokenizer.detokenize(ids)
    ['Hello world!']
    """

    def __init__(self, proto, model_type):
        sentencepiece = _sentencepiece()
        if model_type not in MODEL_TYPES:
            raise ValueError(
                f"`model_type` must be one of {MODEL_TYPES}. "
                f"Received: model_type={model_type!r}"
            )
        self.proto = bytes(proto)
        self.model_type = model_type
        self._processor = sentencepiece.SentencePieceProcessor(
            model_proto=self.proto
        )

    @classmethod
    def train(cls, texts, vocabulary_size, model_type="unigram"):
        """Trains a model on `texts` (strings).

        `vocabulary_size` is a cap, raised where needed to hold every
        character of `texts` (and the 256 bytes of a lossless model).
        """
        import io

        sentencepiece = _sentencepiece()

        if model_type not in MODEL_TYPES:
            raise ValueError(
                f"`model_type` must be one of {MODEL_TYPES}. "
                f"Received: model_type={model_type!r}"
            )
        words = model_type == "words"
        texts = [cls._prepare(t, words) for t in texts]
        # Room for the four special ids, every character and, for lossless
        # models, the 256 byte pieces: SentencePiece refuses less.
        needed = 4 + len(set("".join(texts))) + (0 if words else 256)
        model = io.BytesIO()
        sentencepiece.SentencePieceTrainer.train(
            sentence_iterator=iter(texts),
            model_writer=model,
            model_type="word" if words else model_type,
            vocab_size=max(vocabulary_size, needed),
            # A cap, not a demand: small corpora (dates) have fewer pieces.
            hard_vocab_limit=False,
            character_coverage=1.0,
            byte_fallback=not words,
            # We normalise (NFC) ourselves, so the model keeps every
            # character as written: "…" stays "…".
            normalization_rule_name="identity",
            # A char model would otherwise start every text with a "▁" piece.
            add_dummy_prefix=model_type != "char",
            pad_id=PAD_ID,
            unk_id=UNK_ID,
            bos_id=START_ID,
            eos_id=END_ID,
            num_threads=2,
            minloglevel=2,
        )
        return cls(model.getvalue(), model_type)

    @staticmethod
    def _prepare(text, words):
        if not isinstance(text, str):
            raise ValueError(
                f"Expected a string. Received: {type(text).__name__}"
            )
        if words:
            return parallel_text.standardize(text)
        # Whitespace of every kind (tabs, no-break spaces, "\x1f") becomes
        # one space here, as Python defines it, not as SentencePiece does.
        return " ".join(unicodedata.normalize("NFC", text).split())

    @property
    def vocabulary_size(self):
        return self._processor.get_piece_size()

    def tokenize(self, texts):
        """Ids of each text, without start and end, as int32 arrays."""
        prepared = [self._prepare(t, self.model_type == "words") for t in texts]
        return [
            np.asarray(ids, "int32") for ids in self._processor.encode(prepared)
        ]

    def detokenize(self, ids):
        """Texts of id rows; a row stops at its first end id (or padding)."""
        return self._processor.decode([self._trim(row) for row in ids])

    def pieces(self, ids):
        """The pieces of one id row as display strings ("▁" marks a space)."""
        return [self._processor.id_to_piece(i) for i in self._trim(ids)]

    def _trim(self, row):
        row = [int(i) for i in row]
        for stop in (END_ID, PAD_ID):
            if stop in row:
                row = row[: row.index(stop)]
        return [i for i in row if i != START_ID]

    def get_config(self):
        return {
            "proto": base64.b64encode(self.proto).decode("ascii"),
            "model_type": self.model_type,
        }

    @classmethod
    def from_config(cls, config):
        return cls(base64.b64decode(config["proto"]), config["model_type"])


def _sentencepiece():
    """The `sentencepiece` module, or one line naming the extra to install."""
    from attention_tf.utils.optional import import_optional

    return import_optional(
        "sentencepiece",
        "The translator's tokenizer",
        dependency="sentencepiece",
        extra="translate",
    )
