"""`AdversarialTrainer` on tiny classifiers: perturbations, a fit, saving."""

import keras
import numpy as np
import pytest
from keras import ops

from attention_tf.models import (
    BiLSTMAttentionClassifier,
    HierarchicalAttentionClassifier,
)
from attention_tf.training.adversarial.adversarial_trainer import (
    AdversarialTrainer,
)
from attention_tf.training.adversarial.perturbations import (
    categorical_kl,
    scale_per_text,
    virtual_adversarial_perturbation,
)

VOCABULARY = 12
# Two texts of 5 words, the second with 2 padding words.
IDS = np.array([[2, 7, 4, 10, 11], [6, 3, 9, 0, 0]])
# HAN: the second text's second sentence is empty.
HAN_IDS = np.array([[[2, 7, 4], [10, 11, 0]], [[6, 3, 9], [0, 0, 0]]])
COUNTS = np.array([0, 0, 5, 4, 3, 6, 2, 5, 3, 4, 9, 8])


def built(classifier, ids):
    classifier(ids)
    return classifier


def bilstm(seed=0, **kwargs):
    keras.utils.set_random_seed(seed)
    return built(
        BiLSTMAttentionClassifier(
            VOCABULARY,
            3,
            embedding_dim=4,
            lstm_units=3,
            attention_units=4,
            dropout=0.0,
            **kwargs,
        ),
        IDS,
    )


def han(seed=0):
    keras.utils.set_random_seed(seed)
    return built(
        HierarchicalAttentionClassifier(
            VOCABULARY,
            3,
            embedding_dim=4,
            word_units=3,
            sentence_units=3,
            attention_units=4,
            dropout=0.0,
            embedding_dropout=0.0,
        ),
        HAN_IDS,
    )


def test_rejects_a_classifier_that_drops_its_own_embeddings():
    with pytest.raises(ValueError, match="embedding_dropout=0"):
        AdversarialTrainer(bilstm(embedding_dropout=0.5))


@pytest.mark.parametrize(
    "arguments, match",
    [
        (dict(epsilon=-1.0), "`epsilon` must be >= 0. Received: -1.0"),
        (dict(vat_weight=-0.5), "`vat_weight` must be >= 0"),
        (
            dict(embedding_dropout=1.0),
            r"`embedding_dropout` must be in \[0, 1\)",
        ),
        (dict(power_iterations=1.5), "`power_iterations` must be an integer"),
    ],
)
def test_rejects_arguments_out_of_range(arguments, match):
    with pytest.raises(ValueError, match=match):
        AdversarialTrainer(bilstm(), **arguments)


def test_rejects_an_unbuilt_classifier():
    classifier = BiLSTMAttentionClassifier(VOCABULARY, 2, embedding_dim=4)
    with pytest.raises(ValueError, match="built"):
        AdversarialTrainer(classifier)


@pytest.mark.parametrize("make, ids", [(bilstm, IDS), (han, HAN_IDS)])
def test_vat_perturbation_zero_at_padding_norm_epsilon(make, ids):
    classifier = make()
    trainer = AdversarialTrainer(classifier, word_frequencies=COUNTS)
    vectors = trainer.word_vectors(ids)

    def predict(v):
        return classifier(ids, embeddings=v)

    perturbation = ops.convert_to_numpy(
        virtual_adversarial_perturbation(
            predict, vectors, ids != 0, predict(vectors), 2.0, seed=1
        )
    )
    assert np.all(perturbation[ids == 0] == 0.0)
    assert np.all(np.abs(perturbation[ids != 0]).sum(-1) > 0)
    norms = np.sqrt((perturbation**2).reshape(len(ids), -1).sum(-1))
    np.testing.assert_allclose(norms, 2.0, rtol=1e-5)


def test_vat_direction_on_a_bilstm_matches_finite_differences():
    classifier = bilstm(seed=3)
    trainer = AdversarialTrainer(classifier, word_frequencies=COUNTS)
    vectors = ops.convert_to_numpy(trainer.word_vectors(IDS))

    def predict(v):
        return classifier(IDS, embeddings=v)

    clean = ops.convert_to_numpy(predict(vectors))
    perturbation = ops.convert_to_numpy(
        virtual_adversarial_perturbation(
            predict, vectors, IDS != 0, clean, 1.0, 1.0, 1, seed=4
        )
    )
    noise = keras.random.normal(vectors.shape, seed=4)
    # A probe of norm 1 (not 0.1): a KL large enough for float32 finite
    # differences.
    probe = ops.convert_to_numpy(scale_per_text(noise, IDS != 0, 1.0))
    step = 1e-2
    for text in range(2):
        # Every +-step move of every entry of the probe, as one batch.
        entries = vectors.shape[1] * vectors.shape[2]
        deltas = np.eye(entries, dtype="float32").reshape(
            entries, *vectors.shape[1:]
        )
        moved = (
            vectors[text]
            + probe[text]
            + step * np.concatenate([deltas, -deltas])
        )
        rows = np.repeat(IDS[text : text + 1], 2 * entries, axis=0)
        probabilities = ops.convert_to_numpy(
            classifier(rows, embeddings=moved)
        ).astype("float64")
        p = clean[text].astype("float64")
        kl = np.sum(p * (np.log(p) - np.log(probabilities)), axis=-1)
        numerical = ((kl[:entries] - kl[entries:]) / (2 * step)).reshape(
            vectors.shape[1:]
        )
        numerical[IDS[text] == 0] = 0.0
        found, expected = perturbation[text].ravel(), numerical.ravel()
        cosine = (
            found @ expected / np.linalg.norm(found) / np.linalg.norm(expected)
        )
        assert cosine > 0.999


def toy_task(count, seed):
    """Ids 2-5 are positive words, 6-9 negative, 10-11 filler; right-padded."""
    rng = np.random.default_rng(seed)
    ids = np.zeros((count, 8), "int32")
    labels = np.zeros(count, "int32")
    for row in range(count):
        length = rng.integers(3, 9)
        ids[row, :length] = rng.choice(np.arange(2, 12), length)
        positive = np.isin(ids[row], [2, 3, 4, 5]).sum()
        labels[row] = positive > np.isin(ids[row], [6, 7, 8, 9]).sum()
    return ids, labels


class BagOfWords(keras.Model):
    """The smallest classifier with `embedding` and `embeddings=`: fast."""

    def __init__(self):
        super().__init__()
        self.embedding = keras.layers.Embedding(VOCABULARY, 4)
        self.output_layer = keras.layers.Dense(2, activation="softmax")

    def call(self, token_ids, training=False, embeddings=None):
        x = self.embedding(token_ids) if embeddings is None else embeddings
        mask = ops.expand_dims(ops.cast(token_ids != 0, x.dtype), -1)
        return self.output_layer(ops.sum(x * mask, axis=1))


def compiled_trainer(classifier=None, run_eagerly=True, **kwargs):
    keras.utils.set_random_seed(0)
    if classifier is None:
        classifier = BiLSTMAttentionClassifier(
            VOCABULARY,
            2,
            embedding_dim=4,
            lstm_units=4,
            attention_units=4,
            dropout=0.0,
        )
    classifier = built(classifier, IDS)
    trainer = AdversarialTrainer(classifier, **kwargs)
    trainer.compile(
        keras.optimizers.Adam(0.03),
        "sparse_categorical_crossentropy",
        metrics=["accuracy"],
        # A few steps: tracing a BiLSTM's nested tapes takes longer.
        run_eagerly=run_eagerly,
    )
    return trainer


def test_fit_lowers_the_loss_on_a_toy_task():
    ids, labels = toy_task(96, seed=0)
    unlabelled, _ = toy_task(96, seed=1)
    trainer = compiled_trainer(
        BagOfWords(),
        run_eagerly=False,
        vat_weight=1.0,
        adversarial_weight=1.0,
        epsilon=0.5,
        embedding_dropout=0.1,
        word_frequencies=np.bincount(ids.ravel(), minlength=VOCABULARY),
        seed=0,
    )
    before = trainer.evaluate(ids, labels, verbose=0, return_dict=True)
    history = trainer.fit(
        {"token_ids": ids, "unlabelled_token_ids": unlabelled},
        labels,
        batch_size=32,
        epochs=6,
        verbose=0,
    ).history
    after = trainer.evaluate(ids, labels, verbose=0, return_dict=True)
    assert after["loss"] < 0.8 * before["loss"]
    assert after["accuracy"] > before["accuracy"]
    assert history["loss"][-1] < history["loss"][0]
    assert all(v > 0 for v in history["vat_loss"] + history["adversarial_loss"])
    assert set(after) == {"loss", "accuracy"}


def test_logged_loss_is_the_weighted_sum_of_its_terms():
    ids, labels = toy_task(16, seed=2)
    trainer = compiled_trainer(vat_weight=2.0, adversarial_weight=0.5)
    clean = trainer.evaluate(ids, labels, verbose=0, return_dict=True)
    logs = trainer.train_on_batch(ids, labels, return_dict=True)
    np.testing.assert_allclose(
        logs["loss"],
        clean["loss"] + 0.5 * logs["adversarial_loss"] + 2.0 * logs["vat_loss"],
        rtol=1e-5,
    )
    # The adversarial loss is at least the clean one: it is the worst
    # direction to first order.
    assert logs["adversarial_loss"] > clean["loss"]


def test_vat_loss_without_dropout_is_the_kl_to_the_clean_prediction():
    # Without dropout, `vat_loss` is KL(clean || perturbed) with the
    # perturbation drawn from the same seed.
    ids, labels = toy_task(8, seed=3)
    trainer = compiled_trainer(vat_weight=1.0, seed=5)
    classifier = trainer.classifier
    vectors = trainer.word_vectors(ids)
    clean = classifier(ids, embeddings=vectors)
    state = ops.convert_to_numpy(trainer.seed_generator.state)
    perturbation = virtual_adversarial_perturbation(
        lambda v: classifier(ids, embeddings=v),
        vectors,
        ids != 0,
        clean,
        trainer.epsilon,
        seed=trainer.seed_generator,
    )
    expected = float(
        categorical_kl(
            clean, classifier(ids, embeddings=vectors + perturbation)
        )
    )
    trainer.seed_generator.state.assign(state)
    logs = trainer.train_on_batch(ids, labels, return_dict=True)
    assert logs["vat_loss"] == pytest.approx(expected, rel=1e-4)
    assert expected > 0


def test_vat_gradient_holds_the_clean_prediction_constant():
    import tensorflow as tf

    ids, _ = toy_task(8, seed=5)
    trainer = compiled_trainer(vat_weight=1.0, seed=2)
    classifier = trainer.classifier
    weights = classifier.trainable_weights
    state = ops.convert_to_numpy(trainer.seed_generator.state)
    with tf.GradientTape() as tape:
        found = tape.gradient(trainer._vat_loss(ids), weights)
    # By hand: the clean prediction a NumPy constant.
    trainer.seed_generator.state.assign(state)
    with tf.GradientTape() as tape:
        vectors = trainer.word_vectors(ids)
        clean = ops.convert_to_numpy(classifier(ids, embeddings=vectors))
        perturbation = virtual_adversarial_perturbation(
            lambda v: classifier(ids, embeddings=v),
            vectors,
            ids != 0,
            clean,
            trainer.epsilon,
            seed=trainer.seed_generator,
        )
        perturbed = classifier(ids, embeddings=vectors + perturbation)
        expected = tape.gradient(categorical_kl(clean, perturbed), weights)
    for a, b in zip(found, expected):
        np.testing.assert_allclose(
            ops.convert_to_numpy(a), ops.convert_to_numpy(b), atol=1e-7
        )


def test_weights_reload_and_the_classifier_alone_predicts_the_same(tmp_path):
    ids, _ = toy_task(32, seed=4)
    frequencies = np.bincount(ids.ravel(), minlength=VOCABULARY)
    trainer = compiled_trainer(word_frequencies=frequencies)
    expected = ops.convert_to_numpy(trainer(ids))

    path = str(tmp_path / "trainer.weights.h5")
    trainer.save_weights(path)
    reloaded = compiled_trainer(word_frequencies=np.ones(VOCABULARY))
    reloaded.load_weights(path)
    np.testing.assert_allclose(ops.convert_to_numpy(reloaded(ids)), expected)

    # What a run saves: the classifier, its matrix as the trainer reads it.
    classifier = trainer.classifier
    alone = built(type(classifier).from_config(classifier.get_config()), IDS)
    alone.set_weights(classifier.get_weights())
    alone.embedding.embeddings.assign(trainer.embedding_matrix())
    alone.save(str(tmp_path / "classifier.keras"))
    loaded = keras.saving.load_model(str(tmp_path / "classifier.keras"))
    np.testing.assert_allclose(
        ops.convert_to_numpy(loaded(ids)), expected, atol=1e-6
    )
