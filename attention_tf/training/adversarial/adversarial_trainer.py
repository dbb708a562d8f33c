"""A `keras.Model` that trains a classifier with (virtual) adversarial losses."""

import keras
from keras import ops

from attention_tf.training.adversarial.perturbations import (
    categorical_kl,
    normalize_embeddings,
    scale_per_text,
    value_and_gradient,
    virtual_adversarial_perturbation,
)


class AdversarialTrainer(keras.Model):
    """Wraps a document classifier; `fit` adds adversarial losses.

    After Miyato, Dai & Goodfellow 2017, "Adversarial Training Methods for
    Semi-Supervised Text Classification". Each training step:

    1. Word vectors: the classifier's embedding matrix, normalised (Eq. 1)
       when `word_frequencies` is given, looked up, then one embedding
       dropout draw (whole channels, as `SpatialDropout1D`). The
       classifier reads them through its `embeddings=` argument.
    2. The compiled loss on the labelled batch (training mode).
    3. With `adversarial_weight`: the same loss with the word vectors moved
       by `epsilon` along its gradient (adversarial training, their Eq. 5).
    4. With `vat_weight`: `KL(p(x) || p(x + r_vadv))` on the unlabelled
       batch (the labelled one if none), `p(x)` held constant and
       `r_vadv` from `virtual_adversarial_perturbation` (their Eq. 6-7).
       These passes run the classifier with its own dropout off, on the
       step-1 vectors, so the clean and perturbed predictions differ by
       the perturbation only and not by two dropout draws.

    The loss is step 2 + `adversarial_weight` * step 3 + `vat_weight` *
    step 4; `fit` logs it as `loss`, and the terms in use as
    `adversarial_loss` and `vat_loss`. Perturbations are zero at padding
    (id 0) and have norm `epsilon` per text (words and features together).

    The classifier must be built with `embedding_dropout=0`: the trainer
    draws that dropout itself (step 1), once for every pass. Inference
    (`call`, `evaluate`) reads the same normalised vectors, no dropout.
    A training-time object, not saved whole: backups hold its weights, and
    a run saves the classifier alone with `embedding_matrix()` put in.

    TensorFlow only (`train_step` uses a gradient tape); the perturbation
    functions run on JAX too.

    Args:
        classifier: A `DocumentClassifier` (or any model with an
            `embedding` layer whose `call` takes `embeddings=`), built.
        vat_weight: Weight of the virtual adversarial loss (0: off).
        adversarial_weight: Weight of the adversarial loss (0: off).
        epsilon: Norm of each text's perturbation.
        finite_difference: Norm of the power iteration's probe (xi).
        power_iterations: Power iteration steps (0: a random direction,
            the paper's "random perturbation" baseline).
        embedding_dropout: Rate of the channel dropout on word vectors.
        word_frequencies: Occurrences of each token id `[vocabulary]`, to
            normalise the embeddings (Eq. 1); `None` keeps them as they are.
        seed: Seed of the dropout and the power iteration's noise.
        **kwargs: Base `keras.Model` arguments, such as `name`.

    Call arguments:
        inputs: Token ids, or a dict with `"token_ids"` and (training only)
            `"unlabelled_token_ids"`.
        training: Whether the embedding dropout is active.

    Returns:
        The classifier's probabilities `[batch, num_classes]`.

    Example:

    >>> import numpy as np
    >>> from attention_tf.models import BiLSTMAttentionClassifier
    >>> classifier = BiLSTMAttentionClassifier(
    ...     20, 2, embedding_dim=4, lstm_units=4, attention_units=4)
    >>> _ = classifier(np.zeros((1, 1), "int32"))  # builds it
    >>> trainer = AdversarialTrainer(classifier, vat_weight=1.0, epsilon=1.0)
    >>> trainer.compile("adam", "sparse_categorical_crossentropy",
    ...                 run_eagerly=True)  # one step: no tracing
    >>> data = ({"token_ids": np.array([[3, 4, 0], [5, 0, 0]]),
    ...          "unlabelled_token_ids": np.array([[6, 7], [8, 9]])},
    ...         np.array([0, 1]))
    >>> logs = trainer.train_on_batch(*data, return_dict=True)
    >>> sorted(logs)
    ['loss', 'vat_loss']
    """

    def __init__(
        self,
        classifier,
        vat_weight=1.0,
        adversarial_weight=0.0,
        epsilon=3.0,
        finite_difference=0.1,
        power_iterations=1,
        embedding_dropout=0.0,
        word_frequencies=None,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        _check_arguments(
            classifier,
            vat_weight=vat_weight,
            adversarial_weight=adversarial_weight,
            epsilon=epsilon,
            finite_difference=finite_difference,
            power_iterations=power_iterations,
            embedding_dropout=embedding_dropout,
        )
        self.classifier = classifier
        self.vat_weight = vat_weight
        self.adversarial_weight = adversarial_weight
        self.epsilon = epsilon
        self.finite_difference = finite_difference
        self.power_iterations = power_iterations
        self.embedding_dropout = embedding_dropout
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.word_frequencies = None
        if word_frequencies is not None:
            self.word_frequencies = self.add_weight(
                shape=(classifier.embedding.input_dim,),
                initializer="zeros",
                trainable=False,
                name="word_frequencies",
            )
            self.word_frequencies.assign(ops.cast(word_frequencies, "float32"))
        # Training only: kept out of validation logs (`test_step`).
        self.term_trackers = {
            name: keras.metrics.Mean(name)
            for name, weight in (
                ("adversarial_loss", adversarial_weight),
                ("vat_loss", vat_weight),
            )
            if weight
        }
        # Every weight exists now (the classifier's too): weights can load
        # before a first call, as `restore_backup` does.
        self.built = True

    def embedding_matrix(self):
        """The classifier's embedding matrix as training reads it."""
        matrix = self.classifier.embedding.embeddings
        if self.word_frequencies is None:
            return ops.convert_to_tensor(matrix)
        return normalize_embeddings(matrix, self.word_frequencies)

    def word_vectors(self, token_ids, training=False):
        """Step 1: looked-up (normalised) vectors after embedding dropout."""
        vectors = ops.take(self.embedding_matrix(), token_ids, axis=0)
        if not training or not self.embedding_dropout:
            return vectors
        # One draw per text (per sentence for HAN) and channel: a channel
        # is dropped at every word, as `SpatialDropout1D` does.
        noise_shape = [None] * (len(vectors.shape) - 2) + [1, None]
        return keras.random.dropout(
            vectors,
            self.embedding_dropout,
            noise_shape=noise_shape,
            seed=self.seed_generator,
        )

    def call(self, inputs, training=False):
        token_ids = inputs["token_ids"] if isinstance(inputs, dict) else inputs
        return self.classifier(
            token_ids,
            training=training,
            embeddings=self.word_vectors(token_ids, training=training),
        )

    def train_step(self, data):
        import tensorflow as tf

        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        token_ids = x["token_ids"] if isinstance(x, dict) else x
        with tf.GradientTape() as tape:
            vectors = self.word_vectors(token_ids, training=True)
            y_pred, loss, adversarial = self._supervised_losses(
                token_ids, vectors, y, sample_weight
            )
            if isinstance(x, dict) and "unlabelled_token_ids" in x:
                vat = self._vat_loss(x["unlabelled_token_ids"])
            else:
                vat = self._vat_loss(token_ids, vectors)
            total = loss + _per_replica(
                self.adversarial_weight * adversarial + self.vat_weight * vat
            )
            scaled = self.optimizer.scale_loss(total)
        weights = self.trainable_weights
        gradients = tape.gradient(scaled, weights)
        self.optimizer.apply_gradients(zip(gradients, weights))
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(total * _replicas())
        terms = {"adversarial_loss": adversarial, "vat_loss": vat}
        for name, tracker in self.term_trackers.items():
            tracker.update_state(terms[name])
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data):
        logs = super().test_step(data)
        return {k: v for k, v in logs.items() if k not in self.term_trackers}

    def _supervised_losses(self, token_ids, vectors, y, sample_weight):
        """Steps 2 and 3: predictions, compiled loss, adversarial loss."""

        def supervised(word_vectors):
            y_pred = self.classifier(
                token_ids, training=True, embeddings=word_vectors
            )
            loss = self.compute_loss(
                x=token_ids, y=y, y_pred=y_pred, sample_weight=sample_weight
            )
            return loss, y_pred

        if not self.adversarial_weight:
            loss, y_pred = supervised(vectors)
            return y_pred, loss, ops.zeros(())
        # The clean pass, differentiated once more for the perturbation's
        # direction (held constant by `scale_per_text`).
        (loss, y_pred), direction = value_and_gradient(
            supervised, vectors, has_aux=True
        )
        perturbation = scale_per_text(
            direction, ops.not_equal(token_ids, 0), self.epsilon
        )
        perturbed = self.classifier(
            token_ids, training=True, embeddings=vectors + perturbation
        )
        adversarial = ops.mean(
            keras.losses.sparse_categorical_crossentropy(y, perturbed)
        )
        return y_pred, loss, adversarial

    def _vat_loss(self, token_ids, vectors=None):
        """Step 4 on `token_ids` (`vectors`: their step-1 vectors, if any)."""
        if not self.vat_weight:
            return ops.zeros(())
        if vectors is None:
            vectors = self.word_vectors(token_ids, training=True)

        def predict(word_vectors):
            return self.classifier(
                token_ids, training=False, embeddings=word_vectors
            )

        clean = ops.stop_gradient(predict(vectors))
        perturbation = virtual_adversarial_perturbation(
            predict,
            vectors,
            ops.not_equal(token_ids, 0),
            clean,
            self.epsilon,
            self.finite_difference,
            self.power_iterations,
            seed=self.seed_generator,
        )
        return categorical_kl(clean, predict(vectors + perturbation))


def _per_replica(value):
    """A global-batch mean as one replica's share (as `compute_loss` does)."""
    return value / _replicas()


def _replicas():
    import tensorflow as tf

    return tf.distribute.get_strategy().num_replicas_in_sync


def _check_arguments(classifier, **values):
    """Raises `ValueError` naming the first argument out of its range."""
    if not classifier.built:
        raise ValueError(
            "The classifier must be built (called once) before training "
            "reads its embedding matrix."
        )
    if getattr(classifier, "embedding_dropout", 0.0):
        raise ValueError(
            "The classifier must have `embedding_dropout=0`: give the rate "
            "to `AdversarialTrainer(embedding_dropout=...)`, which draws it "
            "once, before the perturbation. Received: "
            f"embedding_dropout={classifier.embedding_dropout}"
        )
    for name, value in values.items():
        if not value >= 0:
            raise ValueError(f"`{name}` must be >= 0. Received: {value}")
    if not values["embedding_dropout"] < 1:
        raise ValueError(
            "`embedding_dropout` must be in [0, 1). Received: "
            f"{values['embedding_dropout']}"
        )
    if not isinstance(values["power_iterations"], int):
        raise ValueError(
            "`power_iterations` must be an integer. Received: "
            f"{values['power_iterations']!r}"
        )
