"""The default document classifier: a BiLSTM with attention pooling."""

import keras
from keras import ops

from attention_tf.layers import AttentionPooling
from attention_tf.layers.rnn_masks import bidirectional, call_rnn_right_padded
from attention_tf.models.document_classifier.document_classifier import (
    DocumentClassifier,
)


@keras.saving.register_keras_serializable(package="attention_tf")
class BiLSTMAttentionClassifier(DocumentClassifier):
    """Token ids in, class probabilities (and word attention) out.

    A `DocumentClassifier`:

    1. `Embedding(mask_zero=True)`: id 0 is padding and is masked.
    2. Spatial dropout on the embeddings (drops whole embedding channels).
    3. `Bidirectional(LSTM(return_sequences=True))` over the unmasked words.
    4. `AttentionPooling` with `attention_heads` heads: one vector per
       text (per head), a weight per word.
    5. Dropout, then `Dense(num_classes, activation="softmax")`.

    Binary tasks use two classes. The LSTM reads every text's words moved
    to the front of its row, with no mask (see `call_rnn_right_padded`), so
    it stays on the cuDNN kernel on a GPU whatever the ids, empty texts
    included; an empty text gets zero attention weights and a zero pooled
    vector.

    Args:
        vocabulary_size: Number of token ids, including padding (0).
        num_classes: Number of classes, >= 2.
        embedding_dim: Size of the word embeddings.
        lstm_units: Units of each LSTM direction.
        attention_units: Hidden size of the attention scorer.
        dropout: Dropout rate before the output layer.
        embedding_dropout: Spatial dropout rate on the embeddings.
        attention_heads: Number of attention heads (context vectors).
        attention_dropout: Dropout rate on the attention weights (training
            only; the returned weights are those before dropout).
        diversity_penalty: Weight of the penalty that pushes the heads to
            attend to different words (`AttentionPooling`'s
            `diversity_penalty`), added to the training loss.
        **kwargs: Base `keras.Model` arguments, such as `name`.

    Call arguments:
        token_ids: Int tensor `[batch, time]`, right-padded with 0.
        training: Whether dropout is active.
        return_attention_scores: Also return the word weights.
        embeddings: Optional word vectors `[batch, time, embedding_dim]`
            used instead of looking up `token_ids` (which still give the
            mask): attributions differentiate through them.

    Returns:
        Probabilities `[batch, num_classes]`, or with
        `return_attention_scores=True` a tuple `(probabilities, weights)`
        with weights `[batch, time]`, or `[batch, heads, time]` with
        several heads (0 at padding).

    Example:

    >>> import numpy as np
    >>> model = BiLSTMAttentionClassifier(100, 3, embedding_dim=8,
    ...                                   lstm_units=4, attention_units=4)
    >>> probabilities, weights = model(np.array([[5, 7, 0]]),
    ...                                return_attention_scores=True)
    >>> tuple(probabilities.shape), float(weights[0, 2])
    ((1, 3), 0.0)
    """

    def __init__(
        self,
        vocabulary_size,
        num_classes,
        embedding_dim=128,
        lstm_units=64,
        attention_units=64,
        dropout=0.5,
        embedding_dropout=0.0,
        attention_heads=1,
        attention_dropout=0.0,
        diversity_penalty=0.0,
        **kwargs,
    ):
        super().__init__(
            vocabulary_size,
            num_classes,
            embedding_dim=embedding_dim,
            attention_units=attention_units,
            dropout=dropout,
            embedding_dropout=embedding_dropout,
            attention_heads=attention_heads,
            attention_dropout=attention_dropout,
            diversity_penalty=diversity_penalty,
            **kwargs,
        )
        self.lstm_units = lstm_units

        self.add_embedding()
        self.encoder = bidirectional(
            keras.layers.LSTM(lstm_units, return_sequences=True),
            name="encoder",
        )
        self.attention = AttentionPooling(
            attention_units,
            heads=attention_heads,
            dropout=attention_dropout,
            diversity_penalty=diversity_penalty,
            name="attention",
        )
        self.add_output()

    def call(
        self,
        token_ids,
        training=False,
        return_attention_scores=False,
        embeddings=None,
    ):
        mask = ops.not_equal(token_ids, 0)
        x = self.embedding(token_ids) if embeddings is None else embeddings
        x = self.embedding_dropout_layer(x, training=training)
        x = call_rnn_right_padded(self.encoder, x, mask, training=training)
        pooled, weights = self.attention(
            x, mask=mask, training=training, return_attention_scores=True
        )
        pooled = self.dropout_layer(pooled, training=training)
        probabilities = self.output_layer(pooled)
        if return_attention_scores:
            return probabilities, weights
        return probabilities

    def get_config(self):
        config = super().get_config()
        config["lstm_units"] = self.lstm_units
        return config
