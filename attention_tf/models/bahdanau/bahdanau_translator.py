"""The Bahdanau et al. (2015) encoder-decoder ("RNNsearch")."""

import keras
from keras import ops

from attention_tf.layers.rnn_masks import bidirectional, call_rnn_right_padded
from attention_tf.models.bahdanau.bahdanau_decoder_cell import (
    BahdanauDecoderCell,
)
from attention_tf.models.bahdanau.bahdanau_translator_generation import (
    BahdanauTranslatorGeneration,
    source_ids,
)
from attention_tf.utils.arguments import check_positive_integers

_CELL_TYPES = ("gru", "lstm")


@keras.saving.register_keras_serializable(package="attention_tf")
class BahdanauTranslator(BahdanauTranslatorGeneration, keras.Model):
    """Attention encoder-decoder over token ids, trained with teacher forcing.

    Bahdanau, Cho and Bengio 2015, "Neural Machine Translation by Jointly
    Learning to Align and Translate":

    1. Encoder: `Embedding(mask_zero=True)` then a bidirectional GRU or
       LSTM; the annotation `h_j` concatenates both directions at step `j`.
    2. `s_0 = tanh(W_s h_1_backward)`, from the backward state after it has
       read the whole (unpadded) source.
    3. Decoder, `BahdanauDecoderCell` at every step `i`: attention with the
       previous state `s_{i-1}` as query gives `c_i`; `s_i` is the recurrent
       update of `s_{i-1}` from `[E y_{i-1}; c_i]`.
    4. Output: `p(y_i) = softmax(W_o maxout(s_i, E y_{i-1}, c_i))`, a
       maxout layer of two pieces as in the paper's deep output.

    The source projection `U h_j` is computed once per sentence. The output
    layer runs after the recurrent loop, on every step at once, because it
    does not feed back into the recurrence during training.

    Token id 0 is padding in both vocabularies; the source mask comes from
    it. Train with `keras.losses.SparseCategoricalCrossentropy(
    from_logits=True, ignore_class=0)` so target padding carries no loss.

    Inference (`greedy_decode`, `beam_search`, `generate`,
    `attention_weights`) comes from `BahdanauTranslatorGeneration`.

    Args:
        source_vocabulary_size, target_vocabulary_size: Positive ints.
        start_token_id, end_token_id: Target ids that open and close a
            sentence.
        embedding_dim: Size of both token embeddings.
        encoder_units: Units per encoder direction.
        decoder_units: Size of the decoder state.
        attention_units: Size of the attention hidden layer.
        output_units: Size of the maxout layer before the softmax.
        cell_type: `"gru"` or `"lstm"`, for the encoder and the decoder.
        dropout: Dropout rate on the embeddings and the maxout layer.
        **kwargs: `keras.Model` keyword arguments such as `name`.

    Call arguments:
        inputs: A tuple `(source_ids, target_input_ids)`, int tensors
            `[batch, source_time]` and `[batch, target_time]`; the target
            input starts with `start_token_id` (teacher forcing).

    Returns:
        Logits `[batch, target_time, target_vocabulary_size]`.

    Example:

    >>> import numpy as np
    >>> model = BahdanauTranslator(20, 30, start_token_id=2, end_token_id=3,
    ...     embedding_dim=8, encoder_units=8, decoder_units=8,
    ...     attention_units=8, output_units=8)
    >>> source = np.array([[5, 6, 7, 0], [8, 9, 0, 0]])
    >>> target = np.array([[2, 10, 11], [2, 12, 0]])
    >>> tuple(model((source, target)).shape)
    (2, 3, 30)
    >>> tokens, scores, weights = model.greedy_decode(source, max_length=5)
    >>> tuple(tokens.shape), tuple(weights.shape)
    ((2, 5), (2, 5, 4))
    """

    def __init__(
        self,
        source_vocabulary_size,
        target_vocabulary_size,
        start_token_id,
        end_token_id,
        embedding_dim=128,
        encoder_units=128,
        decoder_units=256,
        attention_units=128,
        output_units=256,
        cell_type="gru",
        dropout=0.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        check_positive_integers(
            source_vocabulary_size=source_vocabulary_size,
            target_vocabulary_size=target_vocabulary_size,
            embedding_dim=embedding_dim,
            encoder_units=encoder_units,
            decoder_units=decoder_units,
            attention_units=attention_units,
            output_units=output_units,
        )
        _check_arguments(
            target_vocabulary_size,
            start_token_id,
            end_token_id,
            cell_type,
            dropout,
        )
        self.source_vocabulary_size = source_vocabulary_size
        self.target_vocabulary_size = target_vocabulary_size
        self.start_token_id = start_token_id
        self.end_token_id = end_token_id
        self.embedding_dim = embedding_dim
        self.encoder_units = encoder_units
        self.decoder_units = decoder_units
        self.attention_units = attention_units
        self.output_units = output_units
        self.cell_type = cell_type
        self.dropout = dropout
        self._create_layers()
        self._compiled = {}

    def _create_layers(self):
        """The layers, in the order that draws the seeded initial weights."""
        rnn_class = (
            keras.layers.GRU if self.cell_type == "gru" else keras.layers.LSTM
        )
        self.source_embedding = keras.layers.Embedding(
            self.source_vocabulary_size,
            self.embedding_dim,
            mask_zero=True,
            name="source_embedding",
        )
        self.encoder = bidirectional(
            rnn_class(
                self.encoder_units, return_sequences=True, return_state=True
            ),
            name="encoder",
        )
        self.initial_state = keras.layers.Dense(
            self.decoder_units, activation="tanh", name="initial_state"
        )
        self.target_embedding = keras.layers.Embedding(
            self.target_vocabulary_size,
            self.embedding_dim,
            name="target_embedding",
        )
        self.decoder_cell = BahdanauDecoderCell(
            self.decoder_units,
            self.attention_units,
            self.cell_type,
            name="decoder_cell",
        )
        self.deep_output = keras.layers.Dense(
            2 * self.output_units, name="deep_output"
        )
        # float32 logits under a mixed precision policy: a float16 softmax
        # over a large vocabulary loses the small probabilities.
        self.output_projection = keras.layers.Dense(
            self.target_vocabulary_size,
            dtype="float32",
            name="output_projection",
        )
        self.embedding_dropout = keras.layers.Dropout(self.dropout)
        self.output_dropout = keras.layers.Dropout(self.dropout)

    def build(self, input_shape=None):
        annotation_dim = 2 * self.encoder_units
        self.source_embedding.build((None, None))
        self.encoder.build((None, None, self.embedding_dim))
        self.initial_state.build((None, self.encoder_units))
        self.target_embedding.build((None, None))
        self.decoder_cell.build(
            ((None, self.embedding_dim), (None, None, annotation_dim))
        )
        self.deep_output.build(
            (None, self.decoder_units + self.embedding_dim + annotation_dim)
        )
        self.output_projection.build((None, self.output_units))
        self.built = True

    # === Encoder and one decoder step ===

    def encode(self, source, training=False):
        """Runs the encoder once per source sentence.

        Returns:
            `(annotations, projected_annotations, source_mask, states)`: what
            `decode_step` needs, `states` being the initial decoder state.
        """
        source = source_ids(source)
        mask = ops.not_equal(source, 0)
        embedded = self.embedding_dropout(
            self.source_embedding(source), training=training
        )
        # A right-padded mask with no empty row keeps cuDNN usable on a GPU.
        annotations, *encoder_states = call_rnn_right_padded(
            self.encoder, embedded, mask, training=training
        )
        backward_h = encoder_states[len(encoder_states) // 2]
        h0 = self.initial_state(backward_h)
        states = [h0] if self.cell_type == "gru" else [h0, ops.zeros_like(h0)]
        projected = self.decoder_cell.project(annotations)
        return annotations, projected, mask, states

    def _logits(self, decoder_h, embedded_previous, contexts, training=False):
        pieces = self.deep_output(
            ops.concatenate([decoder_h, embedded_previous, contexts], axis=-1)
        )
        maxout = ops.maximum(
            pieces[..., : self.output_units], pieces[..., self.output_units :]
        )
        maxout = self.output_dropout(maxout, training=training)
        return self.output_projection(maxout)

    def decode_step(self, tokens, states, annotations, projected, source_mask):
        """Advances the decoder by one token.

        Args:
            tokens: `[batch]` ids of the previous target tokens `y_{i-1}`.
            states: The decoder states `s_{i-1}` (a list).
            annotations, projected, source_mask: From `encode`.

        Returns:
            `(logits, states, weights)`: `[batch, target_vocabulary_size]`,
            the new states `s_i` and the attention weights `[batch, time]`.
        """
        embedded = self.target_embedding(tokens)
        states, context, weights = self.decoder_cell(
            embedded, states, annotations, projected, source_mask
        )
        return self._logits(states[0], embedded, context), states, weights

    # === Teacher forcing ===

    def call(self, inputs, training=False):
        source, target = inputs
        annotations, projected, mask, states = self.encode(source, training)
        target = ops.convert_to_tensor(target, "int32")
        embedded = self.embedding_dropout(
            self.target_embedding(target), training=training
        )
        num_states = len(states)

        def step(carry, embedded_token):
            new_states, context, weights = self.decoder_cell(
                embedded_token,
                list(carry[:num_states]),
                annotations,
                projected,
                mask,
            )
            # Keras' TensorFlow `scan` stacks outputs shaped like the carry,
            # so the carry also holds this step's context and weights.
            carry = (*new_states, context, weights)
            return carry, carry

        initial = (
            *states,
            ops.zeros_like(annotations[:, 0]),
            ops.zeros_like(ops.cast(mask, annotations.dtype)),
        )
        _, stacked = ops.scan(step, initial, ops.transpose(embedded, (1, 0, 2)))
        decoder_h = ops.transpose(stacked[0], (1, 0, 2))
        contexts = ops.transpose(stacked[num_states], (1, 0, 2))
        return self._logits(decoder_h, embedded, contexts, training=training)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "source_vocabulary_size": self.source_vocabulary_size,
                "target_vocabulary_size": self.target_vocabulary_size,
                "start_token_id": self.start_token_id,
                "end_token_id": self.end_token_id,
                "embedding_dim": self.embedding_dim,
                "encoder_units": self.encoder_units,
                "decoder_units": self.decoder_units,
                "attention_units": self.attention_units,
                "output_units": self.output_units,
                "cell_type": self.cell_type,
                "dropout": self.dropout,
            }
        )
        return config


def _check_arguments(
    target_vocabulary_size, start_token_id, end_token_id, cell_type, dropout
):
    """The checks of `BahdanauTranslator` other than the positive sizes."""
    for name, value in (
        ("start_token_id", start_token_id),
        ("end_token_id", end_token_id),
    ):
        if not isinstance(value, int) or not 0 < value < target_vocabulary_size:
            raise ValueError(
                f"`{name}` must be an id in [1, target_vocabulary_size="
                f"{target_vocabulary_size}). Received: {name}={value!r}"
            )
    if cell_type not in _CELL_TYPES:
        raise ValueError(
            f"`cell_type` must be one of {_CELL_TYPES}. "
            f"Received: cell_type={cell_type!r}"
        )
    if not 0.0 <= dropout < 1.0:
        raise ValueError(
            f"`dropout` must be in [0, 1). Received: dropout={dropout!r}"
        )
