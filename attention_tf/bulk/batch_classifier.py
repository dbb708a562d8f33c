"""`BatchClassifier`: rows in, prediction and error records out.

The engine-neutral core of a bulk job: the local runner and the Ray runner
call it on each window of rows, so the two cannot differ.
"""

import hashlib
import json

import keras
import numpy as np
import tensorflow as tf

from attention_tf.explain.attended_words import attended_words
from attention_tf.layers.attention_heads import head_mean
from attention_tf.utils.arguments import check_positive_integers

# The padded length budgeted per text of a model without a token cap.
_UNCAPPED_LENGTH = 512


class BatchClassifier:
    """Classifies rows of a corpus fast, with `model.predict`'s results.

    1. The rows' texts become token ids once, through the model's own
       preprocessor (`DocumentClassifierPreprocessor.token_id_lists`).
    2. The texts are sorted by length and cut into batches of like
       lengths: a batch of the longest texts holds `batch_size` of them,
       one of shorter texts as many as fill the same number of padded
       steps. Little time goes to padding, and short texts run in large
       batches.
    3. Each batch runs through the inner classifier (one traced graph for
       every shape), and the records come back in the rows' order.

    The probabilities are those of `model.predict` on the same texts (the
    recurrence is masked, so padding changes nothing but rounding, far
    below 1e-5).

    Rows that cannot be classified become error records, never dropped:
    rows that failed to read, a text that is missing, not a string or
    empty, and a text the model fails on (each text of a failing batch is
    tried alone).

    Args:
        model: A trained `EndToEndClassifier`.
        top: Attended words to add to each prediction (0: none).
        batch_size: Texts per batch of the longest texts (at the model's
            token cap, or a hierarchical model's sentences x words).

    Call arguments:
        rows: A list of `CorpusRow`s.

    Returns:
        `(predictions, errors)`: lists of `(record, dict)` pairs in the
        rows' order. A prediction dict holds `id`, `label`,
        `probabilities` (class name -> probability) and, with `top`, `top`:
        `{"word", "weight"}` dicts, most attended first. An error dict is
        `CorpusRow.error_record()`.

    Example:

    >>> from attention_tf.models import (BiLSTMAttentionClassifier,
    ...     DocumentClassifierPreprocessor, EndToEndClassifier)
    >>> preprocessor = DocumentClassifierPreprocessor.from_texts(
    ...     ["a great movie", "a dull plot"], max_tokens=20, max_length=10)
    >>> model = EndToEndClassifier(preprocessor, BiLSTMAttentionClassifier(
    ...     preprocessor.vectorizer.vocabulary_size(), 2, embedding_dim=4,
    ...     lstm_units=4, attention_units=4), ["neg", "pos"])
    >>> from attention_tf.bulk import CorpusRow
    >>> core = BatchClassifier(model, top=2)
    >>> predictions, errors = core([
    ...     CorpusRow(0, "a", "a great movie", 1, None, None),
    ...     CorpusRow(1, "b", "  ", 2, None, None),
    ... ])
    >>> predictions[0][1]["label"] in ("neg", "pos"), len(predictions[0][1]["top"])
    (True, 2)
    >>> errors
    [(1, {'record': 1, 'id': 'b', 'line': 2, 'reason': 'the text is missing or empty.'})]
    """

    def __init__(self, model, top=0, batch_size=64):
        check_positive_integers(batch_size=batch_size)
        if keras.backend.backend() != "tensorflow":
            # The batches run through one traced TensorFlow graph.
            raise ValueError(
                "Bulk classification runs on the TensorFlow backend: set "
                "KERAS_BACKEND=tensorflow. Received: "
                f"{keras.backend.backend()!r}"
            )
        if isinstance(top, bool) or not isinstance(top, int) or top < 0:
            raise ValueError(
                f"`top` must be an integer >= 0. Received: top={top!r}"
            )
        self.model = model
        self.top = top
        self.batch_size = batch_size
        preprocessor = model.preprocessor
        cap = preprocessor.max_length
        if cap is None and preprocessor.hierarchical:
            cap = preprocessor.max_sentences * preprocessor.max_words
        self.batch_tokens = batch_size * (cap or _UNCAPPED_LENGTH)
        self._vocabulary = preprocessor.vectorizer.get_vocabulary()
        self._run = tf.function(
            self._classify,
            input_signature=[tf.TensorSpec([None, None], tf.int32)],
        )

    def __call__(self, rows):
        rows = [_checked(row) for row in rows]
        good = [row for row in rows if row.error is None]
        outcome = {}
        if good:
            ids = self.model.preprocessor.token_id_lists(
                [row.text for row in good]
            )[0]
            for batch in self.plan([len(i) for i in ids]):
                self._run_batch(
                    [good[i] for i in batch], [ids[i] for i in batch], outcome
                )
        predictions, errors = [], []
        for row in rows:
            row = outcome.get(row.record, row)
            if isinstance(row, dict):
                predictions.append((row["record"], _without_record(row)))
            else:
                errors.append((row.record, row.error_record()))
        return predictions, errors

    def plan(self, lengths):
        """Batches of like lengths: lists of indices into `lengths`.

        Sorted by length, each batch takes texts while its padded size
        (texts x the longest's length) stays within the token budget.
        """
        order = np.argsort(np.asarray(lengths, "int64"), kind="stable")
        batches, batch = [], []
        for index in order:
            width = max(int(lengths[index]), 1)
            if batch and (len(batch) + 1) * width > self.batch_tokens:
                batches.append(batch)
                batch = []
            batch.append(int(index))
        return batches + [batch] * bool(batch)

    def _run_batch(self, rows, ids, outcome):
        """Classifies one batch into `outcome`; alone each text on failure."""
        try:
            outputs = self._run(_padded(ids))
        except Exception as error:  # noqa: BLE001 - reported per row below
            if len(rows) == 1:
                reason = f"the model failed on this text ({type(error).__name__}: {error})"
                outcome[rows[0].record] = rows[0].failed(
                    " ".join(reason.split())
                )
                return
            for row, row_ids in zip(rows, ids):
                self._run_batch([row], [row_ids], outcome)
            return
        outputs = [keras.ops.convert_to_numpy(output) for output in outputs]
        for position, row in enumerate(rows):
            outcome[row.record] = self._prediction(row, position, outputs)

    def _classify(self, ids):
        """The classifier's outputs for right-padded ids `[batch, time]`."""
        inputs = self.model.preprocessor.model_input(ids)
        if not self.top:
            return (self.model.classifier(inputs),)
        outputs = self.model.classifier(inputs, return_attention_scores=True)
        return outputs[0], inputs, outputs[1]

    def _prediction(self, row, position, outputs):
        probabilities = outputs[0][position]
        names = self.model.class_names
        record = {
            "record": row.record,
            "id": row.id,
            "label": names[int(np.argmax(probabilities))],
            "probabilities": {
                name: round(float(p), 7)
                for name, p in zip(names, probabilities)
            },
        }
        if self.top:
            ids, weights = outputs[1][position], outputs[2][position]
            # Several heads: a word's weight is its mean over them.
            weights = head_mean(ids[None], weights[None])[0][0]
            record["top"] = top_words(self._vocabulary, ids, weights, self.top)
        return record

    def fingerprint(self):
        """A SHA-256 of what decides the model's outputs.

        The weights, the vocabulary, the class names and the preprocessing
        settings: the same model saved and loaded again has the same.
        """
        digest = hashlib.sha256()
        preprocessor = self.model.preprocessor
        settings = {
            "class": type(self.model.classifier).__name__,
            "class_names": self.model.class_names,
            "max_length": preprocessor.max_length,
            "max_sentences": preprocessor.max_sentences,
            "max_words": preprocessor.max_words,
            "sentence_boundary_ids": preprocessor.sentence_boundary_ids,
            "vocabulary": self._vocabulary,
        }
        digest.update(json.dumps(settings, sort_keys=True).encode("utf-8"))
        for weight in self.model.classifier.weights:
            digest.update(keras.ops.convert_to_numpy(weight).tobytes())
        return digest.hexdigest()


def top_words(vocabulary, token_ids, weights, count):
    """The `count` most attended words of one text, most attended first.

    Args:
        vocabulary: The vectorizer's vocabulary (id -> word).
        token_ids: The ids the classifier read, `[time]` (or `[sentences,
            words]` for HAN, whose words are ranked by their weight within
            their sentence, as `attention-tf classify` shows them).
        weights: One weight per id (the mean over heads).
        count: How many words.

    Returns:
        A list of `{"word", "weight"}` dicts (weights rounded to 4 places).
    """
    words = attended_words(vocabulary, token_ids, weights)
    if words and isinstance(words[0], list):
        words = [pair for sentence in words for pair in sentence]
    words = sorted(words, key=lambda pair: -pair[1])[:count]
    return [
        {"word": word, "weight": round(weight, 4)} for word, weight in words
    ]


def _checked(row):
    """The row, or the row marked bad when its text cannot be classified."""
    if row.error is not None:
        return row
    if row.text is not None and not isinstance(row.text, str):
        return row.failed(
            f"the text must be a string. Received: {row.text!r:.60}"
        )
    if not row.text or not row.text.strip():
        return row.failed("the text is missing or empty.")
    return row


def _padded(ids):
    """Right-padded int32 `[batch, longest]` (at least one step) of id lists."""
    width = max(1, max(len(row) for row in ids))
    batch = np.zeros((len(ids), width), "int32")
    for index, row in enumerate(ids):
        batch[index, : len(row)] = row
    return batch


def _without_record(prediction):
    return {key: value for key, value in prediction.items() if key != "record"}
