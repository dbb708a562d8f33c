"""Adversarial perturbations of word vectors (Miyato, Dai & Goodfellow 2017).

"Adversarial Training Methods for Semi-Supervised Text Classification"
perturbs the word vectors of a text, not its words:

- `normalize_embeddings`: their Eq. 1, each embedding dimension centred and
  scaled by its word-frequency weighted mean and variance, so that a model
  cannot make a fixed perturbation norm negligible by growing its vectors.
- `scale_per_text`: a direction zeroed at padding and scaled to norm
  `epsilon` over each whole text (words and features together).
- `virtual_adversarial_perturbation`: the direction that most changes the
  prediction, by power iteration on a finite difference of the KL
  divergence (their Eq. 6-7); no labels needed.
- `categorical_kl`: the KL divergence between predicted distributions.

Everything is `keras.ops` but `value_and_gradient`, which runs on
TensorFlow and JAX.
"""

import keras
from keras import ops

# Keeps logarithms of probabilities finite (Keras' own epsilon).
_PROBABILITY_FLOOR = 1e-7


def normalize_embeddings(matrix, frequencies):
    """Eq. 1: `(matrix - mean) / sqrt(variance)`, frequency-weighted.

    Args:
        matrix: Embedding matrix `[vocabulary, dim]`.
        frequencies: Non-negative `[vocabulary]`: how often each id occurs
            (counts or shares; padding and unseen ids 0).

    Returns:
        The matrix with, per dimension, frequency-weighted mean 0 and
        variance 1, in float32 (float64 stays float64).
    """
    matrix = ops.cast(matrix, _at_least_float32(matrix))
    weights = ops.cast(frequencies, matrix.dtype)
    weights = ops.expand_dims(weights / ops.sum(weights), -1)
    mean = ops.sum(weights * matrix, axis=0)
    variance = ops.sum(weights * ops.square(matrix - mean), axis=0)
    return (matrix - mean) * ops.rsqrt(variance + 1e-6)


def scale_per_text(direction, mask, norm):
    """`direction`, zero at padding, with L2 norm `norm` over each text.

    Args:
        direction: Float `[batch, ..., dim]`, such as a gradient with
            respect to word vectors.
        mask: Boolean `[batch, ...]`, True at real words.
        norm: The norm of each text's perturbation (words and features
            together, as the paper's `_scale_l2`).

    Returns:
        A tensor shaped like `direction`, in float32 (float64 stays
        float64), held constant (no gradient flows through it). A text with no words, or a zero
        direction, gets zeros.
    """
    direction = ops.cast(direction, _at_least_float32(direction))
    direction = ops.stop_gradient(direction)
    direction = ops.where(ops.expand_dims(mask, -1), direction, 0.0)
    axes = tuple(range(1, len(direction.shape)))
    # Dividing by the largest entry first keeps the squares from
    # underflowing when the direction is tiny (a gradient often is).
    largest = ops.max(ops.abs(direction), axis=axes, keepdims=True)
    direction = direction / ops.where(largest > 0, largest, 1.0)
    # The length is now 0 (nothing to scale) or at least 1.
    length = ops.sqrt(ops.sum(ops.square(direction), axis=axes, keepdims=True))
    return norm * direction / ops.maximum(length, 1.0)


def categorical_kl(clean, perturbed):
    """Mean over the batch of `KL(clean || perturbed)`.

    Args:
        clean: Probabilities `[batch, classes]`; callers hold them constant
            (`ops.stop_gradient`) so that only `perturbed` is pulled.
        perturbed: Probabilities `[batch, classes]`.

    Returns:
        A float32 (or float64) scalar.
    """
    dtype = _at_least_float32(perturbed)
    clean = ops.clip(ops.cast(clean, dtype), _PROBABILITY_FLOOR, 1.0)
    perturbed = ops.clip(ops.cast(perturbed, dtype), _PROBABILITY_FLOOR, 1.0)
    divergence = ops.sum(clean * (ops.log(clean) - ops.log(perturbed)), -1)
    return ops.mean(divergence)


def virtual_adversarial_perturbation(
    predict,
    vectors,
    mask,
    clean,
    epsilon,
    finite_difference=0.1,
    power_iterations=1,
    seed=None,
):
    """The perturbation of norm `epsilon` that most changes `predict`.

    Power iteration on the Hessian of `KL(clean || predict(vectors + r))`
    at `r = 0`, without forming it (the paper's Eq. 7):

    1. `d` starts as Gaussian noise.
    2. `d` becomes the gradient of the KL at `r = scale_per_text(d, mask,
       finite_difference)`: about `finite_difference * H d / |d|`, since
       the KL and its gradient vanish at `r = 0`.
    3. After `power_iterations` steps, `d` scaled to `epsilon` per text.

    Args:
        predict: Word vectors to probabilities, deterministic (no dropout),
            so that `predict(vectors) == clean`.
        vectors: Word vectors `[batch, ..., dim]`.
        mask: Boolean `[batch, ...]`, True at real words.
        clean: `predict(vectors)`, held constant.
        epsilon: Norm of each text's perturbation.
        finite_difference: Norm of the probe `r` (the paper's xi).
        power_iterations: Steps of step 2.
        seed: A `keras.random.SeedGenerator` or int for the noise.

    Returns:
        A perturbation shaped like `vectors` (float32, or float64), zero
        at padding, held constant.
    """
    clean = ops.stop_gradient(clean)
    direction = keras.random.normal(
        ops.shape(vectors), dtype=_at_least_float32(vectors), seed=seed
    )
    for _ in range(power_iterations):
        probe = scale_per_text(direction, mask, finite_difference)
        direction = gradient(
            lambda r: categorical_kl(clean, predict(vectors + r)), probe
        )
    return scale_per_text(direction, mask, epsilon)


def gradient(function, x):
    """The gradient of the scalar `function(x)` with respect to `x`."""
    return value_and_gradient(function, x)[1]


def value_and_gradient(function, x, has_aux=False):
    """`(function(x), gradient)`, as `jax.value_and_grad` returns them.

    TensorFlow (a tape) or JAX; inside a training step the outer tape or
    trace records it like any other operation. With `has_aux`, `function`
    returns `(scalar, aux)`, differentiated with respect to the scalar.
    """
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            tape.watch(x)
            value = function(x)
        return value, tape.gradient(value[0] if has_aux else value, x)
    if backend == "jax":
        import jax

        return jax.value_and_grad(function, has_aux=has_aux)(x)
    raise NotImplementedError(
        "Adversarial perturbations need the gradient of a loss with respect "
        "to the word vectors: backends 'tensorflow' and 'jax'. Received: "
        f"backend={backend!r}"
    )


def _at_least_float32(x):
    """float32, or float64 for float64 `x`: no float16 sums or squares."""
    return keras.backend.result_type(
        keras.backend.standardize_dtype(x.dtype), "float32"
    )
