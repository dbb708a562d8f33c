"""Per-word attributions of one text: integrated gradients, leave-one-out.

Both explain the probability of one class (`target`); positive values
support it. They take the classifier (a `BiLSTMAttentionClassifier` or
`HierarchicalAttentionClassifier`) and a text's token ids, as
`EndToEndClassifier.token_ids` makes them. TensorFlow only, as the
end-to-end classifier's string preprocessing is.
"""

import numpy as np
import tensorflow as tf

from attention_tf.explain.token_edits import keep_words, word_positions

# Integrated gradients: interval count of the trapezoidal rule, and the
# completeness gap (in probability) beyond which more steps are needed.
IG_STEPS = 64
COMPLETENESS_TOLERANCE = 0.02
_CHUNK = 64


def predict_ids(classifier, ids):
    """Probabilities `[batch, classes]` for ids `[batch, ...]`, in chunks."""
    outputs = [
        classifier(tf.constant(ids[i : i + _CHUNK])).numpy()
        for i in range(0, len(ids), _CHUNK)
    ]
    return np.concatenate(outputs)


def integrated_gradients(classifier, ids, target, steps=IG_STEPS):
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
        classifier: The classifier inside an `EndToEndClassifier`.
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
    ids = np.asarray(ids)
    embedded = classifier.embedding(tf.constant(ids[None]))
    alphas = np.linspace(0.0, 1.0, steps + 1, dtype="float32")
    rule = np.full(steps + 1, 1.0 / steps, "float32")
    rule[[0, -1]] /= 2
    average_gradient = tf.zeros_like(embedded[0])
    probabilities = []
    for first in range(0, steps + 1, _CHUNK):
        alpha = alphas[first : first + _CHUNK]
        shape = (len(alpha),) + (1,) * (len(embedded.shape) - 1)
        with tf.GradientTape() as tape:
            points = tf.constant(alpha.reshape(shape)) * embedded
            tape.watch(points)
            outputs = classifier(
                tf.constant(np.repeat(ids[None], len(alpha), axis=0)),
                embeddings=points,
            )[:, target]
        # Rows are independent, so the gradient of their sum is each row's.
        gradients = tape.gradient(outputs, points)
        weights = rule[first : first + _CHUNK].reshape(shape)
        average_gradient += tf.reduce_sum(gradients * weights, axis=0)
        probabilities.append(outputs.numpy())
    per_slot = tf.reduce_sum(embedded[0] * average_gradient, axis=-1).numpy()
    attributions = per_slot.ravel()[word_positions(ids)]
    probabilities = np.concatenate(probabilities)
    difference = float(probabilities[-1] - probabilities[0])
    return {
        "attributions": attributions,
        "output": float(probabilities[-1]),
        "baseline_output": float(probabilities[0]),
        "completeness_gap": float(attributions.sum()) - difference,
    }


def leave_one_out(classifier, ids, target):
    """Drop in `p(target)` when each word alone is deleted from the text.

    Returns:
        One value per word, in reading order.
    """
    ids = np.asarray(ids)
    count = len(word_positions(ids))
    full = predict_ids(classifier, ids[None])[0, target]
    if count == 0:
        return np.zeros(0, "float32")
    variants = keep_words(ids, ~np.eye(count, dtype=bool))
    return full - predict_ids(classifier, variants)[:, target]
