"""Per-word attributions of one text: integrated gradients, leave-one-out.

Both explain the probability of one class (`target`); positive values
support it. They take the classifier (a `BiLSTMAttentionClassifier` or
`HierarchicalAttentionClassifier`), compiled, and a text's token ids, as
an `EndToEndClassifier` feeds them to it. TensorFlow only, as the
end-to-end classifier's string preprocessing is.
"""

import numpy as np
import tensorflow as tf

from attention_tf.explain.token_edits import keep_words, word_positions
from attention_tf.models import HierarchicalAttentionClassifier

# Integrated gradients: interval count of the trapezoidal rule, and the
# completeness gap (in probability) beyond which more steps are needed.
IG_STEPS = 64
COMPLETENESS_TOLERANCE = 0.02
_CHUNK = 64


class CompiledClassifier:
    """A classifier's forward pass and path gradients as `tf.function`s.

    Eager Keras runs a recurrent layer's time loop step by step in Python;
    compiled, one call runs it as a graph, traced once for any batch and
    length.

    Args:
        classifier: The classifier inside an `EndToEndClassifier`.
    """

    def __init__(self, classifier):
        self.classifier = classifier
        # HAN reads [batch, sentences, words], the others [batch, time].
        rank = (
            3 if isinstance(classifier, HierarchicalAttentionClassifier) else 2
        )
        ids = tf.TensorSpec([None] * rank, tf.int64)
        self._predict = tf.function(classifier, input_signature=[ids])
        self._gradients = tf.function(
            self._path_gradients,
            input_signature=[
                tf.TensorSpec([None] * (rank - 1), tf.int64),
                tf.TensorSpec([None], tf.float32),
                tf.TensorSpec([], tf.int32),
            ],
        )

    def predict(self, ids):
        """Probabilities `[batch, classes]` for ids `[batch, ...]`, chunked."""
        ids = np.asarray(ids, "int64")
        outputs = [
            self._predict(tf.constant(ids[i : i + _CHUNK])).numpy()
            for i in range(0, len(ids), _CHUNK)
        ]
        return np.concatenate(outputs)

    def path_gradients(self, ids, alphas, target):
        """`p(target)` and its gradient at `alphas * embeddings(ids)`."""
        outputs, gradients = self._gradients(
            tf.constant(ids, "int64"),
            tf.constant(alphas, "float32"),
            tf.constant(target, "int32"),
        )
        return outputs.numpy(), gradients.numpy()

    def _path_gradients(self, ids, alphas, target):
        embedded = self.classifier.embedding(ids[None])
        shape = tf.concat([[-1], tf.ones(tf.rank(ids) + 1, tf.int32)], 0)
        batch_ids = tf.repeat(ids[None], tf.shape(alphas)[0], axis=0)
        with tf.GradientTape() as tape:
            points = tf.reshape(alphas, shape) * embedded
            tape.watch(points)
            outputs = self.classifier(batch_ids, embeddings=points)
            outputs = tf.gather(outputs, target, axis=1)
        # Rows are independent, so the gradient of their sum is each row's.
        return outputs, tape.gradient(outputs, points)


def integrated_gradients(compiled, ids, target, steps=IG_STEPS):
    """Integrated gradients (Sundararajan et al. 2017) on the embeddings.

    1. The baseline keeps the text's words and mask but gives every word
       an all-zero embedding vector: the same length, no word content.
    2. The gradient of `p(target)` is taken at `steps + 1` evenly spaced
       points on the straight line from the baseline to the embeddings,
       all in one batch (chunked), and averaged by the trapezoidal rule.
    3. A word's attribution is its embedding times that average gradient,
       summed over the embedding dimensions.

    Completeness: the attributions sum to `p(x) - p(baseline)` up to the
    rule's error, which shrinks as `steps` grows; the gap is returned.

    Args:
        compiled: A `CompiledClassifier`.
        ids: One text's ids, `[time]` or `[sentences, words]`.
        target: The class index to explain.
        steps: Intervals on the path (`steps + 1` gradient evaluations).

    Returns:
        A dict: `attributions` (one per word, reading order), `output`
        `p(x)`, `baseline_output` `p(baseline)` and `completeness_gap`
        (sum of attributions minus their difference).
    """
    if steps < 1:
        raise ValueError(f"`steps` must be >= 1. Received: steps={steps}")
    ids = np.asarray(ids, "int64")
    alphas = np.linspace(0.0, 1.0, steps + 1, dtype="float32")
    rule = np.full(steps + 1, 1.0 / steps, "float32")
    rule[[0, -1]] /= 2
    probabilities, average_gradient = [], 0.0
    for first in range(0, steps + 1, _CHUNK):
        outputs, gradients = compiled.path_gradients(
            ids, alphas[first : first + _CHUNK], target
        )
        weights = rule[first : first + _CHUNK]
        average_gradient += np.tensordot(weights, gradients, axes=1)
        probabilities.append(outputs)
    embedded = compiled.classifier.embedding(tf.constant(ids)).numpy()
    per_slot = np.sum(embedded * average_gradient, axis=-1)
    attributions = per_slot.ravel()[word_positions(ids)]
    probabilities = np.concatenate(probabilities)
    difference = float(probabilities[-1] - probabilities[0])
    return {
        "attributions": attributions,
        "output": float(probabilities[-1]),
        "baseline_output": float(probabilities[0]),
        "completeness_gap": float(attributions.sum()) - difference,
    }


def leave_one_out(compiled, ids, target):
    """Drop in `p(target)` when each word alone is deleted from the text.

    Args:
        compiled: A `CompiledClassifier`.
        ids: One text's ids, `[time]` or `[sentences, words]`.
        target: The class index to explain.

    Returns:
        One value per word, in reading order.
    """
    ids = np.asarray(ids)
    count = len(word_positions(ids))
    full = compiled.predict(ids[None])[0, target]
    if count == 0:
        return np.zeros(0, "float32")
    variants = keep_words(ids, ~np.eye(count, dtype=bool))
    return full - compiled.predict(variants)[:, target]
