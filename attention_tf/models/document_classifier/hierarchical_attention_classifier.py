"""The Hierarchical Attention Network (Yang et al. 2016) document classifier."""

import keras
from keras import ops

from attention_tf.layers import AttentionPooling
from attention_tf.layers.rnn_masks import bidirectional, call_rnn_right_padded
from attention_tf.models.document_classifier.document_classifier import (
    DocumentClassifier,
)


@keras.saving.register_keras_serializable(package="attention_tf")
class HierarchicalAttentionClassifier(DocumentClassifier):
    """Words to sentences to a document, with attention at both levels.

    A `DocumentClassifier` after Yang et al. 2016, "Hierarchical Attention
    Networks for Document Classification":

    1. Every sentence `[words]` is embedded (`mask_zero=True`) and encoded
       by a bidirectional GRU; `AttentionPooling` over its words gives one
       sentence vector. All sentences of the batch run as one batch.
    2. A second bidirectional GRU encodes the sentence vectors of a text;
       `AttentionPooling` over its sentences gives the document vector.
    3. Dropout, then `Dense(num_classes, activation="softmax")`.

    Both attention layers have `attention_heads` heads; with several, a
    sentence vector concatenates one pooled vector per head.

    Masks: padding words (id 0) are masked in step 1; sentences with no
    words are masked in step 2, so padding never changes the output. Both
    GRUs read each row's steps moved to its front, with no mask (see
    `call_rnn_right_padded`), so they stay on the cuDNN kernel on a GPU
    although padded sentence slots are empty rows of the word level.

    Args:
        vocabulary_size: Number of token ids, including padding (0).
        num_classes: Number of classes, >= 2.
        embedding_dim: Size of the word embeddings.
        word_units: Units of each word-level GRU direction.
        sentence_units: Units of each sentence-level GRU direction.
        attention_units: Hidden size of both attention scorers.
        dropout: Dropout rate before the output layer.
        embedding_dropout: Spatial dropout rate on the embeddings.
        attention_heads: Number of heads of both attention layers.
        attention_dropout: Dropout rate on both layers' attention weights
            (training only; the returned weights are those before dropout).
        diversity_penalty: Weight of both layers' head-diversity penalty
            (`AttentionPooling`'s `diversity_penalty`), added to the
            training loss.
        **kwargs: Base `keras.Model` arguments, such as `name`.

    Call arguments:
        token_ids: Int tensor `[batch, sentences, words]`, 0 for padding.
        training: Whether dropout is active.
        return_attention_scores: Also return the attention weights.
        embeddings: Optional word vectors `[batch, sentences, words,
            embedding_dim]` used instead of looking up `token_ids` (which
            still give the masks): attributions differentiate through them.

    Returns:
        Probabilities `[batch, num_classes]`, or with
        `return_attention_scores=True` a tuple `(probabilities,
        word_weights [batch, sentences, words], sentence_weights
        [batch, sentences])`; with several heads, `[batch, sentences,
        heads, words]` and `[batch, heads, sentences]`.

    Example:

    >>> import numpy as np
    >>> model = HierarchicalAttentionClassifier(
    ...     100, 2, embedding_dim=8, word_units=4, sentence_units=4,
    ...     attention_units=4)
    >>> ids = np.array([[[5, 7, 0], [9, 0, 0], [0, 0, 0]]])
    >>> probabilities, words, sentences = model(
    ...     ids, return_attention_scores=True)
    >>> tuple(words.shape), float(sentences[0, 2])
    ((1, 3, 3), 0.0)
    """

    def __init__(
        self,
        vocabulary_size,
        num_classes,
        embedding_dim=128,
        word_units=50,
        sentence_units=50,
        attention_units=100,
        dropout=0.5,
        embedding_dropout=0.25,
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
        self.word_units = word_units
        self.sentence_units = sentence_units

        self.add_embedding()
        self.word_encoder = bidirectional(
            keras.layers.GRU(word_units, return_sequences=True),
            name="word_encoder",
        )
        self.word_attention = self._attention("word_attention")
        self.sentence_encoder = bidirectional(
            keras.layers.GRU(sentence_units, return_sequences=True),
            name="sentence_encoder",
        )
        self.sentence_attention = self._attention("sentence_attention")
        self.add_output()

    def _attention(self, name):
        return AttentionPooling(
            self.attention_units,
            heads=self.attention_heads,
            dropout=self.attention_dropout,
            diversity_penalty=self.diversity_penalty,
            name=name,
        )

    def call(
        self,
        token_ids,
        training=False,
        return_attention_scores=False,
        embeddings=None,
    ):
        shape = ops.shape(token_ids)
        batch, sentences, words = shape[0], shape[1], shape[2]
        # Every sentence of every text is one row of the word level.
        word_ids = ops.reshape(token_ids, (-1, words))
        word_mask = ops.not_equal(word_ids, 0)
        if embeddings is None:
            x = self.embedding(word_ids)
        else:
            x = ops.reshape(embeddings, (-1, words, self.embedding_dim))
        x = self.embedding_dropout_layer(x, training=training)
        x = call_rnn_right_padded(
            self.word_encoder, x, word_mask, training=training
        )
        sentence_vectors, word_weights = self.word_attention(
            x, mask=word_mask, training=training, return_attention_scores=True
        )
        sentence_vectors = ops.reshape(
            sentence_vectors,
            (batch, sentences, self.attention_heads * 2 * self.word_units),
        )
        sentence_mask = ops.any(
            ops.reshape(word_mask, (batch, sentences, words)), axis=-1
        )
        x = call_rnn_right_padded(
            self.sentence_encoder,
            sentence_vectors,
            sentence_mask,
            training=training,
        )
        document, sentence_weights = self.sentence_attention(
            x,
            mask=sentence_mask,
            training=training,
            return_attention_scores=True,
        )
        document = self.dropout_layer(document, training=training)
        probabilities = self.output_layer(document)
        if return_attention_scores:
            rows = (batch, sentences) + ops.shape(word_weights)[1:]
            word_weights = ops.reshape(word_weights, rows)
            return probabilities, word_weights, sentence_weights
        return probabilities

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "word_units": self.word_units,
                "sentence_units": self.sentence_units,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        # Files saved before `embedding_dropout` existed used `dropout / 2`.
        config = dict(config)
        config.setdefault("embedding_dropout", config.get("dropout", 0.5) / 2)
        return cls(**config)
