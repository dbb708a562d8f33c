"""One step of the Bahdanau et al. (2015) attention decoder."""

import keras
from keras import ops

from attention_tf.layers import AttentionPooling
from attention_tf.utils.arguments import check_positive_integers

_CELL_TYPES = ("gru", "lstm")


@keras.saving.register_keras_serializable(package="attention_tf")
class BahdanauDecoderCell(keras.layers.Layer):
    """A recurrent decoder step that attends over the source before updating.

    Bahdanau et al. 2015, "Neural Machine Translation by Jointly Learning to
    Align and Translate", section 3.1. At output step `i`:

    1. `e_ij = v . tanh(W s_{i-1} + U h_j + b)` and `alpha_i = softmax(e_i)`
       over the unmasked source steps, with the *previous* state `s_{i-1}`
       as the `AttentionPooling` query.
    2. `c_i = sum_j alpha_ij h_j`.
    3. `s_i = cell([E y_{i-1}; c_i], s_{i-1})`, a `GRUCell` or `LSTMCell`.

    `U h_j + b` does not depend on `i`: `project(annotations)` computes it
    once per source sentence and every step reuses it.

    Args:
        units: Positive int, size of the decoder state `s_i`.
        attention_units: Positive int, size of the attention hidden layer.
        cell_type: `"gru"` or `"lstm"`.
        **kwargs: Base layer keyword arguments.

    Call arguments:
        embedded_tokens: `[batch, embedding_dim]`, `E y_{i-1}`.
        states: List of state tensors `[batch, units]`: `[h]` for a GRU,
            `[h, c]` for an LSTM. `h` is the attention query.
        annotations: `[batch, source_time, annotation_dim]`, the encoder
            outputs `h_j`.
        projected_annotations: `project(annotations)`.
        source_mask: Boolean `[batch, source_time]`, or `None`.

    Returns:
        A tuple `(new_states, context, weights)` with `context`
        `[batch, annotation_dim]` and `weights` `[batch, source_time]`.
    """

    def __init__(self, units, attention_units, cell_type="gru", **kwargs):
        super().__init__(**kwargs)
        check_positive_integers(units=units, attention_units=attention_units)
        if cell_type not in _CELL_TYPES:
            raise ValueError(
                f"`cell_type` must be one of {_CELL_TYPES}. "
                f"Received: cell_type={cell_type!r}"
            )
        self.units = units
        self.attention_units = attention_units
        self.cell_type = cell_type
        self.attention = AttentionPooling(attention_units, name="attention")
        cell_class = (
            keras.layers.GRUCell
            if cell_type == "gru"
            else keras.layers.LSTMCell
        )
        self.cell = cell_class(units, name="cell")

    @property
    def num_states(self):
        return 1 if self.cell_type == "gru" else 2

    def build(self, input_shape):
        """Builds from `(embedded_tokens_shape, annotations_shape)`."""
        embedded_shape, annotations_shape = input_shape
        self.attention.build([(None, self.units), annotations_shape])
        self.cell.build((None, embedded_shape[-1] + annotations_shape[-1]))

    def project(self, annotations):
        """`U h_j + b` for every source step, `[batch, time, attention_units]`."""
        return self.attention.project_values(annotations)

    def call(
        self,
        embedded_tokens,
        states,
        annotations,
        projected_annotations,
        source_mask=None,
    ):
        states = list(states)
        if len(states) != self.num_states:
            raise ValueError(
                f"A {self.cell_type} decoder takes {self.num_states} state "
                f"tensors. Received {len(states)}."
            )
        context, weights = self.attention(
            [states[0], annotations],
            mask=[None, source_mask],
            return_attention_scores=True,
            projected_values=projected_annotations,
        )
        inputs = ops.concatenate([embedded_tokens, context], axis=-1)
        _, new_states = self.cell(inputs, states)
        return list(new_states), context, weights

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "attention_units": self.attention_units,
                "cell_type": self.cell_type,
            }
        )
        return config
