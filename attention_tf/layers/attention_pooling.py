"""Additive attention pooling over a variable number of time steps."""

import keras
from keras import ops

# The fill value for masked scores before taking the row maximum. Scores are
# reduced in float32 (see `_masked_softmax`), so this is a finite float32.
_FLOAT32_LOWEST = -3.0e38


@keras.saving.register_keras_serializable(package="attention_tf")
class AttentionPooling(keras.layers.Layer):
    """Additive attention: HAN word attention, or Bahdanau attention with a query.

    One small feed-forward network scores every time step, so the layer takes
    sequences of any length: the same weights score step 1 and step 500, and a
    softmax over the `time` scores turns them into weights that sum to one.

    Without a query (pooling mode, Yang et al. 2016, "Hierarchical Attention
    Networks for Document Classification"):

    1. `keys = tanh(values @ kernel + bias)`, shape `[batch, time, units]`.
    2. `scores = keys @ context`, shape `[batch, time]`.
    3. `weights = softmax(scores)` over the unmasked steps.
    4. `outputs = sum_t weights[:, t] * values[:, t]`, shape `[batch, features]`.

    With a query (Bahdanau et al. 2015, "Neural Machine Translation by Jointly
    Learning to Align and Translate"), step 1 adds the projected query,
    `e_ij = context . tanh(query_i @ query_kernel + values_j @ kernel + bias)`,
    and the output has one context vector per query.

    The values projection `values @ kernel + bias` does not depend on the
    query. A decoder attends over the same source at every output step, so
    `project_values(values)` computes it once and `call(...,
    projected_values=...)` reuses it.

    Relation to the TF1 `attention(inputs, size, scope)` function this layer
    reproduces (`inputs` are the values, `size` is `units`):

    | TF1 variable                          | this layer  |
    | ------------------------------------- | ----------- |
    | `<scope>/attention_context_vector`    | `context`   |
    | `<scope>/fully_connected/weights`     | `kernel`    |
    | `<scope>/fully_connected/biases`      | `bias`      |

    `tf.contrib.layers.l2_regularizer(scale)` adds `scale * sum(w**2) / 2`,
    so its `L2_REG` corresponds to `keras.regularizers.L2(L2_REG / 2)` as
    `kernel_regularizer` and `context_regularizer`; the TF1 function does not
    regularise the bias. The default initialisers are those of the TF1
    function (Glorot uniform for both matrices, zeros for the bias).

    Masking: masked steps get a weight of exactly zero, so padding never
    changes the output. A row whose steps are all masked gives zero weights
    and a zero output (never NaN, in any dtype policy). The softmax is taken
    in float32 under mixed precision. In pooling mode the time axis is
    reduced away and the layer returns no mask; in query mode it returns
    the query mask, and outputs at masked query steps are zero, as in
    `keras.layers.Attention`.

    Args:
        units: Positive int, size of the hidden scoring layer (`size` in the
            TF1 function).
        use_bias: Whether the values projection has a bias. Defaults to `True`.
        kernel_initializer: Initializer for `kernel` and `query_kernel`.
        bias_initializer: Initializer for `bias`.
        context_initializer: Initializer for the context vector `context`.
        kernel_regularizer: Regularizer for `kernel` and `query_kernel`.
        bias_regularizer: Regularizer for `bias`.
        context_regularizer: Regularizer for `context`.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Call arguments:
        inputs: The values, `[batch, time, features]`, or a list
            `[query, values]` with a query of shape `[batch, query_features]`
            or `[batch, query_time, query_features]`.
        mask: A boolean mask `[batch, time]` for the values, or a list
            `[query_mask, values_mask]` in query mode. Masks from
            `Embedding(mask_zero=True)` arrive on their own.
        return_attention_scores: If `True`, also return the attention weights
            (after masking and softmax).
        projected_values: Optional output of `project_values(values)`, to
            skip recomputing it.

    Returns:
        The pooled values, `[batch, features]` (pooling mode, or a rank-2
        query) or `[batch, query_time, features]` (rank-3 query); with
        `return_attention_scores=True`, a tuple `(outputs, weights)` with
        weights `[batch, time]` or `[batch, query_time, time]`.

    Example:

    >>> import numpy as np
    >>> layer = AttentionPooling(8)
    >>> values = np.random.rand(2, 5, 3).astype("float32")
    >>> mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], dtype=bool)
    >>> outputs, weights = layer(values, mask=mask, return_attention_scores=True)
    >>> tuple(outputs.shape), tuple(weights.shape)
    ((2, 3), (2, 5))
    >>> float(weights[0, 3])
    0.0
    """

    def __init__(
        self,
        units,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        context_initializer="glorot_uniform",
        kernel_regularizer=None,
        bias_regularizer=None,
        context_regularizer=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if isinstance(units, bool) or not isinstance(units, int) or units < 1:
            raise ValueError(
                f"`units` must be a positive integer. Received: units={units!r}"
            )
        self.units = units
        self.use_bias = use_bias
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.context_initializer = keras.initializers.get(context_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.bias_regularizer = keras.regularizers.get(bias_regularizer)
        self.context_regularizer = keras.regularizers.get(context_regularizer)
        self.supports_masking = True

    def build(self, input_shape):
        query_shape, values_shape = _split_shapes(input_shape)
        _check_values_shape(values_shape)
        if query_shape is not None:
            _check_query_shape(query_shape)
            self.query_kernel = self.add_weight(
                name="query_kernel",
                shape=(query_shape[-1], self.units),
                initializer=self.kernel_initializer,
                regularizer=self.kernel_regularizer,
            )
        else:
            self.query_kernel = None
        self.kernel = self.add_weight(
            name="kernel",
            shape=(values_shape[-1], self.units),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(self.units,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
            )
        else:
            self.bias = None
        self.context = self.add_weight(
            name="context",
            shape=(self.units,),
            initializer=self.context_initializer,
            regularizer=self.context_regularizer,
        )

    def project_values(self, values):
        """Projects the values once: `values @ kernel + bias`.

        Args:
            values: `[batch, time, features]`.

        Returns:
            `[batch, time, units]`, to pass to `call` as `projected_values`
            for every query that attends over the same values.
        """
        if not self.built:
            raise ValueError(
                "AttentionPooling must be built before `project_values`: call "
                "it once, or call `build([query_shape, values_shape])`."
            )
        values = ops.convert_to_tensor(values, dtype=self.compute_dtype)
        _check_values_shape(values.shape)
        projected = ops.matmul(values, ops.cast(self.kernel, values.dtype))
        if self.use_bias:
            projected = projected + ops.cast(self.bias, values.dtype)
        return projected

    def call(
        self,
        inputs,
        mask=None,
        return_attention_scores=False,
        projected_values=None,
    ):
        query, values = _split_inputs(inputs)
        query_mask, values_mask = _split_masks(mask, query is not None)
        _check_values_shape(values.shape)
        if query is not None:
            _check_query_shape(query.shape)
            _check_same_batch(query.shape, values.shape)
            if self.query_kernel is None:
                raise ValueError(
                    "This AttentionPooling layer was built without a query "
                    "(pooling mode) and has no `query_kernel`; it cannot be "
                    "called with `[query, values]`. Use a new layer."
                )
        _check_mask_shape(values_mask, values.shape, "values_mask")

        if projected_values is None:
            projected_values = self.project_values(values)
        else:
            _check_projected_shape(
                projected_values.shape, values.shape, self.units
            )

        if query is None:
            hidden = ops.tanh(projected_values)
        else:
            projected_query = ops.matmul(
                query, ops.cast(self.query_kernel, query.dtype)
            )
            # [batch, 1, units] or [batch, query_time, 1, units] against the
            # projected values [batch, time, units].
            projected_query = ops.expand_dims(projected_query, axis=-2)
            if len(query.shape) == 3:
                projected_values = ops.expand_dims(projected_values, axis=1)
            hidden = ops.tanh(projected_query + projected_values)
        # Scores reduced in float32: a float16 dot product over many units
        # overflows long before float32 does.
        scores = ops.matmul(
            ops.cast(hidden, "float32"), ops.cast(self.context, "float32")
        )
        if values_mask is not None and len(scores.shape) == 3:
            values_mask = ops.expand_dims(values_mask, axis=1)
        weights = _masked_softmax(scores, values_mask)
        weights = ops.cast(weights, values.dtype)

        # [batch, 1 or query_time, time] @ [batch, time, features].
        weights_3d = weights if len(weights.shape) == 3 else weights[:, None]
        outputs = ops.matmul(weights_3d, values)
        if len(weights.shape) == 2:
            outputs = ops.squeeze(outputs, axis=1)
        elif query_mask is not None:
            outputs = outputs * ops.cast(query_mask, outputs.dtype)[..., None]
        if return_attention_scores:
            return outputs, weights
        return outputs

    def compute_mask(self, inputs, mask=None):
        if isinstance(inputs, (list, tuple)) and mask is not None:
            return mask[0]
        return None

    def compute_output_shape(self, input_shape):
        query_shape, values_shape = _split_shapes(input_shape)
        features = values_shape[-1]
        if query_shape is None or len(query_shape) == 2:
            return (values_shape[0], features)
        return (query_shape[0], query_shape[1], features)

    def compute_output_spec(
        self,
        inputs,
        mask=None,
        return_attention_scores=False,
        projected_values=None,
    ):
        query, values = _split_inputs(inputs)
        output_shape = self.compute_output_shape(
            values.shape if query is None else [query.shape, values.shape]
        )
        outputs = keras.KerasTensor(output_shape, dtype=self.compute_dtype)
        if not return_attention_scores:
            return outputs
        time = values.shape[1]
        weights_shape = output_shape[:-1] + (time,)
        return outputs, keras.KerasTensor(
            weights_shape, dtype=self.compute_dtype
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "use_bias": self.use_bias,
                "kernel_initializer": keras.initializers.serialize(
                    self.kernel_initializer
                ),
                "bias_initializer": keras.initializers.serialize(
                    self.bias_initializer
                ),
                "context_initializer": keras.initializers.serialize(
                    self.context_initializer
                ),
                "kernel_regularizer": keras.regularizers.serialize(
                    self.kernel_regularizer
                ),
                "bias_regularizer": keras.regularizers.serialize(
                    self.bias_regularizer
                ),
                "context_regularizer": keras.regularizers.serialize(
                    self.context_regularizer
                ),
            }
        )
        return config


def _masked_softmax(scores, mask):
    """Softmax over the last axis that gives masked steps exactly 0.

    A row with every step masked gets all-zero weights. Both branches of
    every `where` stay finite, so the gradient is finite too.
    """
    if mask is None:
        return ops.softmax(scores, axis=-1)
    mask = ops.cast(mask, "bool")
    # Softmax is shift-invariant, so the shift needs no gradient.
    shift = ops.stop_gradient(
        ops.max(
            ops.where(mask, scores, _FLOAT32_LOWEST), axis=-1, keepdims=True
        )
    )
    exp = ops.where(mask, ops.exp(ops.where(mask, scores - shift, 0.0)), 0.0)
    total = ops.sum(exp, axis=-1, keepdims=True)
    return exp / ops.where(total > 0.0, total, 1.0)


def _is_shape(shape):
    return all(d is None or isinstance(d, int) for d in shape)


def _split_shapes(input_shape):
    if _is_shape(input_shape):
        return None, tuple(input_shape)
    if len(input_shape) != 2:
        raise ValueError(
            "AttentionPooling takes `values` or a list `[query, values]`. "
            f"Received a list of {len(input_shape)} shapes: {input_shape}"
        )
    return tuple(input_shape[0]), tuple(input_shape[1])


def _split_inputs(inputs):
    if isinstance(inputs, (list, tuple)):
        if len(inputs) != 2:
            raise ValueError(
                "AttentionPooling takes `values` or a list `[query, values]`. "
                f"Received a list of {len(inputs)} tensors."
            )
        return inputs[0], inputs[1]
    return None, inputs


def _split_masks(mask, has_query):
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


def _check_values_shape(shape):
    if len(shape) != 3:
        raise ValueError(
            "`values` must have rank 3, shape [batch, time, features]. "
            f"Received: values.shape={tuple(shape)}"
        )


def _check_query_shape(shape):
    if len(shape) not in (2, 3):
        raise ValueError(
            "`query` must have rank 2, [batch, query_features], or rank 3, "
            "[batch, query_time, query_features]. "
            f"Received: query.shape={tuple(shape)}"
        )


def _check_same_batch(query_shape, values_shape):
    q, v = query_shape[0], values_shape[0]
    if q is not None and v is not None and q != v:
        raise ValueError(
            "`query` and `values` must have the same batch size. "
            f"Received: query batch={q}, values batch={v}"
        )


def _check_mask_shape(mask, values_shape, name):
    if mask is None:
        return
    expected = tuple(values_shape[:2])
    received = tuple(mask.shape)
    compatible = len(received) == 2 and all(
        e is None or r is None or e == r for e, r in zip(expected, received)
    )
    if not compatible:
        raise ValueError(
            f"`{name}` must have shape [batch, time] = {expected}, matching "
            f"the values. Received: {name}.shape={received}"
        )


def _check_projected_shape(shape, values_shape, units):
    expected = tuple(values_shape[:2]) + (units,)
    received = tuple(shape)
    compatible = len(received) == 3 and all(
        e is None or r is None or e == r for e, r in zip(expected, received)
    )
    if not compatible:
        raise ValueError(
            "`projected_values` must have shape [batch, time, units] = "
            f"{expected}, as `project_values(values)` returns. "
            f"Received: projected_values.shape={received}"
        )
