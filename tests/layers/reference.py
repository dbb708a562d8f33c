"""NumPy references and helpers for the `AttentionPooling` tests."""

import keras
import numpy as np

BATCH, TIME, FEATURES, UNITS, QUERY_FEATURES, QUERY_TIME = 3, 7, 5, 4, 6, 2


def numpy_attention(
    values, kernel, bias, context, mask=None, query=None, query_kernel=None
):
    """The layer's maths in float64 NumPy, written the obvious way.

    Masked steps of `values` are read as zeros: they hold no information,
    whatever (NaN, inf) they contain.
    """
    values = values.astype(np.float64)
    if mask is not None:
        values = np.where(mask[:, :, None], values, 0.0)
    keys = values @ kernel + bias  # [b, t, u]
    if query is None:
        hidden = np.tanh(keys)
    else:
        projected = query.astype(np.float64) @ query_kernel
        if query.ndim == 2:
            hidden = np.tanh(keys + projected[:, None, :])
        else:
            hidden = np.tanh(keys[:, None] + projected[:, :, None, :])
    scores = hidden @ context  # [b, t] or [b, qt, t]
    if mask is None:
        mask = np.ones(values.shape[:2], dtype=bool)
    if scores.ndim == 3:
        mask = mask[:, None, :]
    mask = np.broadcast_to(mask, scores.shape)
    weights = np.zeros_like(scores)
    for index in np.ndindex(scores.shape[:-1]):
        row, keep = scores[index], mask[index]
        if keep.any():
            exp = np.exp(row[keep] - row[keep].max())
            weights[index][keep] = exp / exp.sum()
    if weights.ndim == 2:
        outputs = np.einsum("bt,btf->bf", weights, values)
    else:
        outputs = np.einsum("bqt,btf->bqf", weights, values)
    return outputs, weights


def numpy_heads(values, kernel, bias, context, mask=None):
    """Pooling with one context column per head, and the diversity penalty.

    Returns outputs `[batch, heads * features]` (head-major), weights
    `[batch, heads, time]` and the mean over rows of `||A A^T - I||_F^2`
    (0 for rows with no unmasked step).
    """
    per_head = [
        numpy_attention(values, kernel, bias, context[:, h], mask)
        for h in range(context.shape[1])
    ]
    outputs = np.concatenate([o for o, _ in per_head], axis=-1)
    weights = np.stack([w for _, w in per_head], axis=1)
    penalties = []
    for a in weights:
        if a.sum() == 0:
            penalties.append(0.0)
        else:
            penalties.append(np.sum((a @ a.T - np.eye(len(a))) ** 2))
    return outputs, weights, float(np.mean(penalties))


def random_mask(rng, kind, batch=BATCH, time=TIME):
    if kind == "none":
        return None
    lengths = rng.integers(1, time + 1, size=batch)
    if kind == "with_empty_row":
        lengths[0] = 0
    return np.arange(time)[None, :] < lengths[:, None]


def weights_of(layer):
    bias = keras.ops.convert_to_numpy(layer.bias).astype(np.float64)
    return dict(
        kernel=keras.ops.convert_to_numpy(layer.kernel).astype(np.float64),
        bias=bias,
        context=keras.ops.convert_to_numpy(layer.context).astype(np.float64),
    )


def assert_close(actual, expected, **tolerances):
    """`assert_allclose` that accepts tensors of any backend."""
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(actual),
        keras.ops.convert_to_numpy(expected),
        **tolerances,
    )


def to_float32_numpy(tensor):
    return keras.ops.convert_to_numpy(keras.ops.cast(tensor, "float32"))


def randomize(layer, rng):
    """Non-zero bias too, so the bias path is checked."""
    for variable in layer.weights:
        variable.assign(rng.normal(size=variable.shape).astype("float32"))
