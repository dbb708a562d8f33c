"""The maths and the checks of `AttentionPooling`, one function a step.

Scores, masked softmax, weighted sums, the diversity penalty, output shapes
and the checks of arguments, inputs and masks: the layer's `call` strings
them together in the order its docstring numbers them.
"""

from keras import ops

from attention_tf.utils.arguments import check_positive_integers

# The fill value for masked scores before taking the row maximum. Scores are
# reduced in float32 (see `masked_softmax`), so this is a finite float32.
_FLOAT32_LOWEST = -3.0e38


def zero_masked_steps(values, mask):
    """`values` with every masked step set to 0 (NaN and inf included)."""
    if mask is None:
        return values
    return ops.where(ops.expand_dims(ops.cast(mask, "bool"), -1), values, 0)


def additive_scores(projected_values, query, query_kernel, context):
    """Steps 2 and 3: float32 scores `[batch, rows, time]`.

    A row per context vector (pooling mode, `query` is None) or per query
    step (a rank-2 query is one step).
    """
    if query is None:
        hidden = ops.tanh(projected_values)
    else:
        if len(query.shape) == 2:
            query = ops.expand_dims(query, axis=1)
        projected_query = ops.matmul(query, ops.cast(query_kernel, query.dtype))
        # [batch, query_time, 1, units] + [batch, 1, time, units].
        hidden = ops.tanh(
            ops.expand_dims(projected_query, axis=2)
            + ops.expand_dims(projected_values, axis=1)
        )
    # Reduced in float32: a float16 dot product over many units
    # overflows long before float32 does.
    units = projected_values.shape[-1]
    context = ops.reshape(ops.cast(context, "float32"), (units, -1))
    scores = ops.matmul(ops.cast(hidden, "float32"), context)
    if query is None:
        return ops.transpose(scores, (0, 2, 1))
    return ops.squeeze(scores, axis=-1)


def weighted_sum(weights, values, query, query_mask):
    """Step 5: the outputs in the shape `AttentionPooling.call` returns.

    Pooling mode concatenates the heads one after the other; a rank-3
    query zeroes the outputs at its masked steps.
    """
    outputs = ops.matmul(ops.cast(weights, values.dtype), values)
    if query is None:
        heads = weights.shape[1]
        return ops.reshape(outputs, (-1, heads * values.shape[-1]))
    if len(query.shape) == 2:
        return ops.squeeze(outputs, axis=1)
    if query_mask is not None:
        outputs = outputs * ops.cast(query_mask, outputs.dtype)[..., None]
    return outputs


def returned_weights(weights, dtype, query):
    """The weights `call` returns: in `dtype`, without a rows axis of one.

    One head, or a rank-2 query, gives one row of weights per example.
    """
    weights = ops.cast(weights, dtype)
    if weights.shape[1] == 1 and (query is None or len(query.shape) == 2):
        return ops.squeeze(weights, axis=1)
    return weights


def output_shapes(query_shape, values_shape, heads):
    """`(outputs shape, weights shape)` of the layer for these inputs."""
    features = values_shape[-1]
    if query_shape is None:
        outputs = (values_shape[0], heads * features)
        rows = (values_shape[0], heads) if heads > 1 else outputs[:-1]
    else:
        outputs = tuple(query_shape[:-1]) + (features,)
        rows = outputs[:-1]
    return outputs, rows + (values_shape[1],)


def masked_softmax(scores, mask):
    """Softmax of `[batch, rows, time]` scores that gives masked steps exactly 0.

    `mask` is `[batch, time]`, shared by every row. A row with every step
    masked, or with no steps, gets all-zero weights. Both branches of every
    `where` stay finite, so the gradient is finite too.
    """
    if mask is None:
        return ops.softmax(scores, axis=-1)
    mask = ops.expand_dims(ops.cast(mask, "bool"), axis=1)
    # Softmax is shift-invariant, so the shift needs no gradient. `initial`
    # keeps the maximum defined over an empty time axis.
    shift = ops.stop_gradient(
        ops.max(
            ops.where(mask, scores, _FLOAT32_LOWEST),
            axis=-1,
            keepdims=True,
            initial=_FLOAT32_LOWEST,
        )
    )
    exp = ops.where(mask, ops.exp(ops.where(mask, scores - shift, 0.0)), 0.0)
    total = ops.sum(exp, axis=-1, keepdims=True)
    return exp / ops.where(total > 0.0, total, 1.0)


def diversity_penalty(weights):
    """Mean over batch rows of `||A A^T - I||_F^2`, `A` a row's weights.

    `weights` are the float32 `[batch, heads, time]` softmax outputs. Rows
    with no unmasked step contribute 0 (their `A` is zero, not a
    distribution).
    """
    gram = ops.matmul(weights, ops.transpose(weights, (0, 2, 1)))
    eye = ops.eye(ops.shape(weights)[1], dtype=gram.dtype)
    per_row = ops.sum(ops.square(gram - eye), axis=(1, 2))
    has_steps = ops.sum(weights, axis=(1, 2)) > 0.0
    return ops.mean(ops.where(has_steps, per_row, 0.0))


def check_arguments(units, heads, dropout, diversity_penalty):
    """Checks the constructor arguments; the error names the argument."""
    check_positive_integers(units=units, heads=heads)
    if not _is_number(dropout) or not 0.0 <= dropout < 1.0:
        raise ValueError(
            f"`dropout` must be a float in [0, 1). Received: dropout={dropout!r}"
        )
    if not _is_number(diversity_penalty) or not diversity_penalty >= 0.0:
        raise ValueError(
            "`diversity_penalty` must be a float >= 0. "
            f"Received: diversity_penalty={diversity_penalty!r}"
        )


def check_query_mode(heads, penalty):
    """Query mode has one head, so neither option applies to it."""
    if heads != 1 or penalty != 0:
        raise ValueError(
            "With a query, `AttentionPooling` takes one head and no "
            "diversity penalty (both belong to pooling mode). Received: "
            f"heads={heads}, diversity_penalty={penalty}"
        )


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_shape(shape):
    return all(d is None or isinstance(d, int) for d in shape)


def split(inputs):
    """`(query, values)` from `values` or `[query, values]`, tensors or shapes."""
    if not isinstance(inputs, (list, tuple)) or _is_shape(inputs):
        return None, inputs
    if len(inputs) != 2:
        raise ValueError(
            "AttentionPooling takes `values` or a list `[query, values]`. "
            f"Received a list of {len(inputs)} inputs."
        )
    return inputs[0], inputs[1]


def split_masks(mask, has_query):
    """`(query_mask, values_mask)` from the `mask` call argument."""
    if not has_query:
        if isinstance(mask, (list, tuple)):
            raise ValueError(
                "In pooling mode `mask` is one `[batch, time]` tensor. "
                f"Received a list of {len(mask)} masks."
            )
        return None, mask
    if mask is None:
        return None, None
    if not isinstance(mask, (list, tuple)) or len(mask) != 2:
        raise ValueError(
            "With `[query, values]` inputs, `mask` must be a list "
            "`[query_mask, values_mask]` (either may be None). "
            f"Received: mask={mask!r}"
        )
    return mask[0], mask[1]


def unpack(inputs, mask, projected_values, units, query_kernel):
    """`(query, values, query_mask, values_mask)` from the call, checked."""
    query, values = split(inputs)
    query_mask, values_mask = split_masks(mask, query is not None)
    check_shapes(
        values.shape,
        None if query is None else query.shape,
        None if values_mask is None else values_mask.shape,
        None if projected_values is None else projected_values.shape,
        units,
    )
    if query is not None and query_kernel is None:
        raise ValueError(
            "This AttentionPooling layer was built without a query "
            "(pooling mode) and has no `query_kernel`; it cannot be "
            "called with `[query, values]`. Use a new layer."
        )
    return query, values, query_mask, values_mask


def check_shapes(
    values, query=None, values_mask=None, projected_values=None, units=None
):
    """Checks every shape the layer is given against the values' shape."""
    values = tuple(values)
    if len(values) != 3:
        raise ValueError(
            "`values` must have rank 3, shape [batch, time, features]. "
            f"Received: values.shape={values}"
        )
    if query is not None and len(query) not in (2, 3):
        raise ValueError(
            "`query` must have rank 2, [batch, query_features], or rank 3, "
            "[batch, query_time, query_features]. "
            f"Received: query.shape={tuple(query)}"
        )
    if query is not None and not _compatible(values[:1], query[:1]):
        raise ValueError(
            "`query` and `values` must have the same batch size. "
            f"Received: query batch={query[0]}, values batch={values[0]}"
        )
    for name, shape, expected, meaning in (
        ("values_mask", values_mask, values[:2], "[batch, time]"),
        (
            "projected_values",
            projected_values,
            values[:2] + (units,),
            "[batch, time, units]",
        ),
    ):
        if shape is not None and not _compatible(expected, shape):
            raise ValueError(
                f"`{name}` must have shape {meaning} = {expected}, matching "
                f"the values. Received: {name}.shape={tuple(shape)}"
            )


def _compatible(expected, received):
    received = tuple(received)
    return len(received) == len(expected) and all(
        e is None or r is None or e == r for e, r in zip(expected, received)
    )
