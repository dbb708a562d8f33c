"""The perturbation maths against NumPy and finite differences.

A tiny float64 classifier written twice, in `keras.ops` (what the library
differentiates) and in NumPy (what the finite differences evaluate), so
that numerical gradients and Hessians are exact to about 1e-8.
"""

import keras
import numpy as np
import pytest
from keras import ops

from attention_tf.training.adversarial.perturbations import (
    categorical_kl,
    gradient,
    normalize_embeddings,
    scale_per_text,
    virtual_adversarial_perturbation,
)

RNG = np.random.default_rng(0)
# Two texts of 4 words (the second has one padding word), 3 features, 3
# classes: a Hessian of rank 2 whose two eigenvalues are 3x apart, so that
# one power iteration is not yet the dominant eigenvector and 40 are.
MASK = np.array([[True, True, True, True], [True, True, True, False]])
VECTORS = RNG.normal(size=(2, 4, 3))
HIDDEN = RNG.normal(size=(3, 5))
OUTPUT = RNG.normal(size=(5, 3)) * 0.5


def predict(vectors):
    """`keras.ops`: softmax of the masked sum of tanh(vectors @ HIDDEN)."""
    hidden = ops.tanh(ops.matmul(vectors, HIDDEN))
    pooled = ops.sum(ops.where(MASK[..., None], hidden, 0.0), axis=1)
    return ops.softmax(ops.matmul(pooled, OUTPUT), axis=-1)


def numpy_predict(vectors):
    hidden = np.tanh(vectors @ HIDDEN) * MASK[..., None]
    logits = hidden.sum(axis=1) @ OUTPUT
    exp = np.exp(logits - logits.max(-1, keepdims=True))
    return exp / exp.sum(-1, keepdims=True)


def numpy_kl(p, q):
    """KL(p || q) per row."""
    return np.sum(p * (np.log(p) - np.log(q)), axis=-1)


CLEAN = numpy_predict(VECTORS)


def kl_of_text(text, perturbation):
    """NumPy KL of one text moved by `perturbation` [words, features]."""
    moved = VECTORS.copy()
    moved[text] += perturbation
    return numpy_kl(CLEAN[text], numpy_predict(moved)[text])


def numerical_gradient(function, point, step=1e-5):
    """Central differences of a scalar function of an array."""
    result = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        delta = np.zeros_like(point)
        delta[index] = step
        result[index] = (function(point + delta) - function(point - delta)) / (
            2 * step
        )
    return result


def numerical_hessian(function, size, step=1e-4):
    """Second differences of a scalar function of a flat vector at 0."""
    hessian = np.zeros((size, size))
    unit = np.eye(size) * step
    for i in range(size):
        for j in range(size):
            hessian[i, j] = (
                function(unit[i] + unit[j])
                - function(unit[i] - unit[j])
                - function(-unit[i] + unit[j])
                + function(-unit[i] - unit[j])
            ) / (4 * step**2)
    return hessian


def cosine(a, b):
    a, b = np.ravel(a), np.ravel(b)
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


@pytest.mark.parametrize("shape", [(3, 5, 4), (2, 3, 4, 5)])
def test_scale_per_text_zero_at_padding_norm_epsilon_per_text(shape):
    direction = RNG.normal(size=shape).astype("float32")
    mask = RNG.random(shape[:-1]) < 0.6
    mask[0] = False  # a text with no words at all
    mask[1].flat[0] = True
    scaled = ops.convert_to_numpy(scale_per_text(direction, mask, 2.5))
    assert np.all(scaled[~mask] == 0.0)
    norms = np.sqrt((scaled**2).reshape(shape[0], -1).sum(-1))
    np.testing.assert_allclose(norms[1:], 2.5, rtol=1e-5)
    assert norms[0] == 0.0
    # The direction is kept, only scaled.
    kept = np.where(mask[..., None], direction, 0.0)
    assert cosine(scaled[1], kept[1]) == pytest.approx(1.0, abs=1e-6)


def test_scale_per_text_keeps_tiny_directions():
    # Squares of 1e-30 underflow in float32; dividing by the largest entry
    # first keeps the direction.
    direction = np.full((1, 4, 2), 1e-30, "float32")
    scaled = ops.convert_to_numpy(scale_per_text(direction, MASK[:1], 1.0))
    np.testing.assert_allclose(scaled, np.full((1, 4, 2), 1 / np.sqrt(8)), 1e-5)


def test_categorical_kl_matches_numpy():
    p = RNG.dirichlet(np.ones(4), size=6)
    q = RNG.dirichlet(np.ones(4), size=6)
    np.testing.assert_allclose(
        ops.convert_to_numpy(categorical_kl(p, q)), numpy_kl(p, q).mean(), 1e-10
    )
    assert float(categorical_kl(p, p)) == pytest.approx(0.0, abs=1e-12)


def test_categorical_kl_holds_nothing_back_on_the_perturbed_side():
    # d KL / d q = -p / q: the gradient only reaches `perturbed`.
    p = RNG.dirichlet(np.ones(3), size=2)
    q = RNG.dirichlet(np.ones(3), size=2)
    computed = ops.convert_to_numpy(
        gradient(lambda x: categorical_kl(p, x), ops.convert_to_tensor(q))
    )
    np.testing.assert_allclose(computed, -p / q / len(p), 1e-8)


def test_normalize_embeddings_eq_1_matches_numpy():
    matrix = RNG.normal(2.0, 3.0, size=(6, 4))
    counts = np.array([0, 5, 1, 0, 10, 4])
    normalized = ops.convert_to_numpy(normalize_embeddings(matrix, counts))
    f = counts / counts.sum()
    mean = f @ matrix
    variance = f @ (matrix - mean) ** 2
    np.testing.assert_allclose(
        normalized, (matrix - mean) / np.sqrt(variance + 1e-6), 1e-10
    )
    np.testing.assert_allclose(f @ normalized, 0.0, atol=1e-10)
    np.testing.assert_allclose(f @ normalized**2, 1.0, 1e-5)


def test_one_power_iteration_is_the_kl_gradient_at_the_probe():
    xi, epsilon, seed = 0.1, 2.0, 11
    perturbation = ops.convert_to_numpy(
        virtual_adversarial_perturbation(
            predict, VECTORS, MASK, CLEAN, epsilon, xi, 1, seed=seed
        )
    )
    # The same noise, the same probe: then the gradient by finite
    # differences of the NumPy KL (summed: each text only moves its own).
    noise = keras.random.normal(VECTORS.shape, dtype="float64", seed=seed)
    probe = ops.convert_to_numpy(scale_per_text(noise, MASK, xi))
    for text in range(2):
        numerical = numerical_gradient(
            lambda r, text=text: kl_of_text(text, r), probe[text]
        )
        numerical[~MASK[text]] = 0.0
        assert cosine(perturbation[text], numerical) > 1 - 1e-8
    assert np.all(perturbation[~MASK] == 0.0)
    np.testing.assert_allclose(
        np.sqrt((perturbation**2).sum(axis=(1, 2))), epsilon, 1e-6
    )


def test_power_iterations_find_the_dominant_eigenvector_of_the_kl_hessian():
    words = MASK.sum(-1)
    for iterations, expected in ((40, True), (1, False)):
        perturbation = ops.convert_to_numpy(
            virtual_adversarial_perturbation(
                predict, VECTORS, MASK, CLEAN, 1.0, 1e-3, iterations, seed=3
            )
        )
        for text in range(2):
            shape = (words[text], 3)

            def kl(flat, text=text, shape=shape):
                moved = np.zeros((4, 3))
                moved[: shape[0]] = flat.reshape(shape)
                return kl_of_text(text, moved)

            hessian = numerical_hessian(kl, words[text] * 3)
            values, vectors = np.linalg.eigh(hessian)
            dominant = vectors[:, np.argmax(values)]
            found = perturbation[text, : words[text]].ravel()
            # Only the sign of an eigenvector is free.
            assert (abs(cosine(found, dominant)) > 1 - 1e-5) == expected
