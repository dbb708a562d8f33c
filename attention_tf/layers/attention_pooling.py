"""Additive attention pooling over a variable number of time steps."""

import keras
from keras import ops

from attention_tf.layers import masked_attention


@keras.saving.register_keras_serializable(package="attention_tf")
class AttentionPooling(keras.layers.Layer):
    """Additive attention: HAN word attention, or Bahdanau attention with a query.

    One small feed-forward network scores every time step, so the layer takes
    sequences of any length: the same weights score step 1 and step 500, and a
    softmax over the `time` scores turns them into weights that sum to one.

    Without a query (pooling mode, Yang et al. 2016, "Hierarchical Attention
    Networks for Document Classification"), with `heads` context vectors
    (Lin et al. 2017, "A Structured Self-attentive Sentence Embedding"):

    1. Masked steps of `values` are set to zero, so padding holding NaN or
       inf cannot reach the output or the gradients.
    2. `keys = tanh(values @ kernel + bias)`, shape `[batch, time, units]`.
    3. `scores = keys @ context`, one row of `time` scores per head.
    4. `weights = softmax(scores)` over the unmasked steps, per head.
    5. `outputs = sum_t weights[:, h, t] * values[:, t]` for every head `h`,
       concatenated head after head: `[batch, heads * features]`.

    With a query (Bahdanau et al. 2015, "Neural Machine Translation by Jointly
    Learning to Align and Translate"), step 2 adds the projected query,
    `e_ij = context . tanh(query_i @ query_kernel + values_j @ kernel + bias)`,
    and the output has one context vector per query (one head only).

    The values projection `values @ kernel + bias` does not depend on the
    query. A decoder attends over the same source at every output step, so
    `project_values(values)` computes it once and `call(...,
    projected_values=...)` reuses it.

    Relation to the TF1 `attention(inputs, size, scope)` function this layer
    reproduces with `heads=1` (`inputs` are the values, `size` is `units`):

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
    and a zero output (never NaN, in any dtype policy), also with no time
    steps at all. The softmax is taken in float32 under mixed precision. In
    pooling mode the time axis is reduced away and the layer returns no
    mask; in query mode it returns the query mask, and outputs at masked
    query steps are zero, as in `keras.layers.Attention`.

    Args:
        units: Positive int, size of the hidden scoring layer (`size` in the
            TF1 function).
        heads: Positive int, number of context vectors in pooling mode.
            `heads=1` (the default) is the single-vector layer, with its
            weight shapes and output shapes. Query mode takes one head.
        dropout: Float in `[0, 1)`, fraction of the attention weights
            dropped (and the rest scaled up) during training only. The
            returned weights are those before dropout.
        diversity_penalty: Float >= 0, `c`. Pooling mode adds
            `c * mean over rows of ||A A^T - I||_F^2` to `layer.losses`,
            with `A` the `[heads, time]` weights of one row (Lin et al.
            2017); rows with no unmasked step add zero.
        use_bias: Whether the values projection has a bias. Defaults to `True`.
        kernel_initializer: Initializer for `kernel` and `query_kernel`.
        bias_initializer: Initializer for `bias`.
        context_initializer: Initializer for the context vectors `context`.
        kernel_regularizer: Regularizer for `kernel` and `query_kernel`.
        bias_regularizer: Regularizer for `bias`.
        context_regularizer: Regularizer for `context`.
        seed: Optional int, seed of the attention dropout.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Call arguments:
        inputs: The values, `[batch, time, features]`, or a list
            `[query, values]` with a query of shape `[batch, query_features]`
            or `[batch, query_time, query_features]`.
        mask: A boolean mask `[batch, time]` for the values, or a list
            `[query_mask, values_mask]` in query mode. Masks from
            `Embedding(mask_zero=True)` arrive on their own.
        training: Whether attention dropout is active.
        return_attention_scores: If `True`, also return the attention weights
            (after masking and softmax, before dropout).
        projected_values: Optional output of `project_values(values)`, to
            skip recomputing it.

    Returns:
        The pooled values, `[batch, heads * features]` (pooling mode),
        `[batch, features]` (rank-2 query) or `[batch, query_time,
        features]` (rank-3 query); with `return_attention_scores=True`, a
        tuple `(outputs, weights)` with weights `[batch, time]` (one head),
        `[batch, heads, time]` (several heads) or `[batch, query_time,
        time]` (rank-3 query).

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
    >>> heads = AttentionPooling(8, heads=4, diversity_penalty=0.1)
    >>> outputs, weights = heads(values, mask=mask, return_attention_scores=True)
    >>> tuple(outputs.shape), tuple(weights.shape), len(heads.losses)
    ((2, 12), (2, 4, 5), 1)
    """

    def __init__(
        self,
        units,
        heads=1,
        dropout=0.0,
        diversity_penalty=0.0,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        context_initializer="glorot_uniform",
        kernel_regularizer=None,
        bias_regularizer=None,
        context_regularizer=None,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        masked_attention.check_arguments(
            units, heads, dropout, diversity_penalty
        )
        self.units = units
        self.heads = heads
        self.dropout = dropout
        self.diversity_penalty = diversity_penalty
        self.use_bias = use_bias
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.context_initializer = keras.initializers.get(context_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.bias_regularizer = keras.regularizers.get(bias_regularizer)
        self.context_regularizer = keras.regularizers.get(context_regularizer)
        self.seed = seed
        # Only a layer with dropout owns a seed generator, so a layer
        # without dropout has exactly the variables of the one-head layer.
        self.seed_generator = (
            keras.random.SeedGenerator(seed) if dropout > 0 else None
        )
        self.supports_masking = True

    def build(self, input_shape):
        query_shape, values_shape = masked_attention.split(input_shape)
        masked_attention.check_shapes(values_shape, query_shape)
        self.query_kernel = None
        if query_shape is not None:
            masked_attention.check_query_mode(
                self.heads, self.diversity_penalty
            )
            self.query_kernel = self._add_weight(
                "query_kernel", (query_shape[-1], self.units), "kernel"
            )
        self.kernel = self._add_weight("kernel", (values_shape[-1], self.units))
        self.bias = None
        if self.use_bias:
            self.bias = self._add_weight("bias", (self.units,))
        # One head keeps the vector shape of the TF1 layer and of saved files.
        heads = () if self.heads == 1 else (self.heads,)
        self.context = self._add_weight("context", (self.units, *heads))

    def _add_weight(self, name, shape, kind=None):
        """A weight with the initializer and regularizer of `kind or name`."""
        kind = kind or name
        return self.add_weight(
            name=name,
            shape=shape,
            initializer=getattr(self, f"{kind}_initializer"),
            regularizer=getattr(self, f"{kind}_regularizer"),
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
        masked_attention.check_shapes(values.shape)
        projected = ops.matmul(values, ops.cast(self.kernel, values.dtype))
        if self.use_bias:
            projected = projected + ops.cast(self.bias, values.dtype)
        return projected

    def call(
        self,
        inputs,
        mask=None,
        training=False,
        return_attention_scores=False,
        projected_values=None,
    ):
        query, values, query_mask, values_mask = masked_attention.unpack(
            inputs, mask, projected_values, self.units, self.query_kernel
        )
        # 1. Zeros at masked steps, whatever the padding held.
        values = masked_attention.zero_masked_steps(values, values_mask)
        # 2 and 3. Scores [batch, rows, time]: a row per head or query step.
        if projected_values is None:
            projected_values = self.project_values(values)
        scores = masked_attention.additive_scores(
            projected_values, query, self.query_kernel, self.context
        )
        # 4. Softmax of every row over the unmasked steps.
        weights = masked_attention.masked_softmax(scores, values_mask)
        if self.diversity_penalty > 0:
            self.add_loss(
                self.diversity_penalty
                * masked_attention.diversity_penalty(weights)
            )
        # 5. Weighted sums of the values, after dropout of the weights.
        outputs = masked_attention.weighted_sum(
            self._dropout(weights, training), values, query, query_mask
        )
        if not return_attention_scores:
            return outputs
        return outputs, masked_attention.returned_weights(
            weights, values.dtype, query
        )

    def _dropout(self, weights, training):
        if not training or self.dropout == 0:
            return weights
        return keras.random.dropout(
            weights, self.dropout, seed=self.seed_generator
        )

    def compute_mask(self, inputs, mask=None):
        if isinstance(inputs, (list, tuple)) and mask is not None:
            return mask[0]
        return None

    def compute_output_shape(self, input_shape):
        query_shape, values_shape = masked_attention.split(input_shape)
        return masked_attention.output_shapes(
            query_shape, values_shape, self.heads
        )[0]

    def compute_output_spec(
        self, inputs, return_attention_scores=False, **kwargs
    ):
        query, values = masked_attention.split(inputs)
        outputs, weights = (
            keras.KerasTensor(shape, dtype=self.compute_dtype)
            for shape in masked_attention.output_shapes(
                None if query is None else query.shape, values.shape, self.heads
            )
        )
        return (outputs, weights) if return_attention_scores else outputs

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "heads": self.heads,
                "dropout": self.dropout,
                "diversity_penalty": self.diversity_penalty,
                "use_bias": self.use_bias,
                "seed": self.seed,
            }
        )
        for weight in ("kernel", "bias", "context"):
            config[f"{weight}_initializer"] = keras.initializers.serialize(
                getattr(self, f"{weight}_initializer")
            )
            config[f"{weight}_regularizer"] = keras.regularizers.serialize(
                getattr(self, f"{weight}_regularizer")
            )
        return config
