"""Every word of a text with its attention weight and its attributions."""

import numpy as np
import tensorflow as tf

from attention_tf.explain.attribution_methods import (
    COMPLETENESS_TOLERANCE,
    IG_STEPS,
    CompiledClassifier,
    integrated_gradients,
    leave_one_out,
)
from attention_tf.explain.token_edits import word_positions
from attention_tf.layers.attention_heads import head_mean, per_head

METHODS = ("attention", "integrated_gradients", "leave_one_out")


class ClassifierExplainer:
    """Explains an `EndToEndClassifier`'s predictions word by word.

    1. The texts run through the model once, in one batch: probabilities,
       the token ids the classifier read and its attention. For HAN a
       word's weight is its weight in its sentence times the sentence's
       weight, so a text's word weights sum to 1 at both kinds of model.
       With several heads, `attention` is the mean over heads and
       `attention_heads` holds one list per head (for HAN, per word head,
       times the sentence weights' head mean), whose mean it is.
    2. On request, per text: integrated gradients on the embeddings
       (`attribution_methods.integrated_gradients`, its completeness gap
       checked against `COMPLETENESS_TOLERANCE`) and leave-one-out, both
       for the predicted class.

    Args:
        model: A trained `EndToEndClassifier`.
        steps: Integrated-gradients intervals.

    Example:

    >>> from attention_tf.models import (
    ...     BiLSTMAttentionClassifier, DocumentClassifierPreprocessor,
    ...     EndToEndClassifier)
    >>> preprocessor = DocumentClassifierPreprocessor.from_texts(
    ...     ["good film", "bad"], max_tokens=20, max_length=10)
    >>> model = EndToEndClassifier(
    ...     preprocessor,
    ...     BiLSTMAttentionClassifier(20, 2, embedding_dim=4, lstm_units=2,
    ...                               attention_units=2),
    ...     ["neg", "pos"])
    >>> [result] = ClassifierExplainer(model, steps=8).explain(
    ...     ["Good film"], methods=("attention", "integrated_gradients"))
    >>> result["words"], round(sum(result["attention"]), 5)
    (['good', 'film'], 1.0)
    >>> abs(result["integrated_gradients_check"]["completeness_gap"]) < 0.02
    True
    """

    def __init__(self, model, steps=IG_STEPS):
        self.model = model
        self.steps = steps
        self.class_names = list(model.class_names)
        self.vocabulary = np.array(model.vectorizer.get_vocabulary())
        self.compiled = CompiledClassifier(model.classifier)
        self._read = tf.function(
            lambda texts: model(texts, return_attention_scores=True),
            input_signature=[tf.TensorSpec([None], tf.string)],
        )

    def read(self, texts):
        """Probabilities `[n, classes]`, ids and per-slot word weights.

        The weights are shaped as the ids; with several heads, a head axis
        follows the batch axis.
        """
        outputs = [o.numpy() for o in self._read(tf.constant(list(texts)))]
        probabilities, ids, weights = outputs[:3]
        sentences = outputs[3] if len(outputs) > 3 else None
        heads = per_head(ids, weights, sentences)
        if sentences is not None:
            sentences = head_mean(ids, weights, sentences)[1][..., None]
            heads = [(w * sentences, None) for w, _ in heads]
        if len(heads) == 1:
            return probabilities, ids, heads[0][0]
        return probabilities, ids, np.stack([w for w, _ in heads], axis=1)

    def explain(self, texts, methods=METHODS):
        """One dict per text: prediction, words and one list per method.

        Args:
            texts: Strings.
            methods: Any of `METHODS`; attention is always included.

        Returns:
            Dicts with `label`, `probabilities` ({class name: p}),
            `words` (as the model read them, unknown ones as `[UNK]`),
            `attention` and the other methods' lists (one value per word),
            `attention_heads` (one such list per head, with several heads),
            `sentence` (each word's sentence index, for HAN) and, with
            integrated gradients, `integrated_gradients_check`.
        """
        unknown = sorted(set(methods) - set(METHODS))
        if unknown:
            raise ValueError(
                f"Unknown attribution methods {unknown}; choose from "
                f"{list(METHODS)}."
            )
        probabilities, ids, weights = self.read(texts)
        return [
            self.explain_row(p, row_ids, row_weights, methods)
            for p, row_ids, row_weights in zip(probabilities, ids, weights)
        ]

    def explain_row(self, probabilities, ids, weights, methods=METHODS):
        """`explain` for one text already `read`: its row of each output."""
        positions = word_positions(ids)
        target = int(np.argmax(probabilities))
        heads = weights if weights.ndim > ids.ndim else None
        if heads is not None:
            weights = heads.mean(axis=0)
        result = {
            "label": self.class_names[target],
            "probabilities": {
                name: float(p)
                for name, p in zip(self.class_names, probabilities)
            },
            "words": self.vocabulary[ids.ravel()[positions]].tolist(),
            "attention": weights.ravel()[positions].tolist(),
        }
        if heads is not None:
            result["attention_heads"] = [
                head.ravel()[positions].tolist() for head in heads
            ]
        if ids.ndim == 2:
            result["sentence"] = (positions // ids.shape[1]).tolist()
        if "integrated_gradients" in methods:
            ig = integrated_gradients(self.compiled, ids, target, self.steps)
            result["integrated_gradients"] = ig.pop("attributions").tolist()
            gap = ig["completeness_gap"]
            result["integrated_gradients_check"] = dict(
                ig,
                steps=self.steps,
                tolerance=COMPLETENESS_TOLERANCE,
                complete=abs(gap) <= COMPLETENESS_TOLERANCE,
            )
        if "leave_one_out" in methods:
            result["leave_one_out"] = leave_one_out(
                self.compiled, ids, target
            ).tolist()
        return result
