"""The base of the document classifiers: shared arguments, checks, config."""

import keras


class DocumentClassifier(keras.Model):
    """Token ids in, class probabilities (and attention) out: the base.

    Holds what every document classifier shares, so that each subclass
    builds only its own layers:

    1. The shared arguments, one attribute each, checked once.
    2. `add_embedding()`: the word embedding (`mask_zero=True`: id 0 is
       padding) and its spatial dropout (drops whole embedding channels).
    3. `add_output()`: the dropout before the output layer, and the
       output layer (`Dense(num_classes, activation="softmax")`, float32
       under mixed precision).
    4. `get_config` with the shared arguments; subclasses add their own.

    A subclass calls `add_embedding()`, creates its encoders and attention,
    then calls `add_output()`: layers are made in the order they run, so
    that a seeded model draws the same dropout seeds as it always did.

    Args:
        vocabulary_size: Number of token ids, including padding (0).
        num_classes: Number of classes, >= 2 (binary tasks use 2).
        embedding_dim: Size of the word embeddings.
        attention_units: Hidden size of the attention scorers.
        dropout: Dropout rate before the output layer.
        embedding_dropout: Spatial dropout rate on the embeddings.
        attention_heads: Number of attention heads (context vectors).
        attention_dropout: Dropout rate on the attention weights (training
            only; the returned weights are those before dropout).
        diversity_penalty: Weight of the penalty that pushes the heads to
            attend to different words (`AttentionPooling`'s
            `diversity_penalty`), added to the training loss.
        **kwargs: Base `keras.Model` arguments, such as `name`.

    Example:

    >>> from attention_tf.models.document_classifier import (
    ...     BiLSTMAttentionClassifier, DocumentClassifier)
    >>> model = BiLSTMAttentionClassifier(100, 2, embedding_dim=8)
    >>> isinstance(model, DocumentClassifier), model.get_config()["num_classes"]
    (True, 2)
    """

    def __init__(
        self,
        vocabulary_size,
        num_classes,
        embedding_dim=128,
        attention_units=64,
        dropout=0.5,
        embedding_dropout=0.0,
        attention_heads=1,
        attention_dropout=0.0,
        diversity_penalty=0.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if (
            isinstance(num_classes, bool)
            or not isinstance(num_classes, int)
            or num_classes < 2
        ):
            raise ValueError(
                "`num_classes` must be an integer >= 2 (binary tasks use "
                f"2). Received: num_classes={num_classes!r}"
            )
        self.vocabulary_size = vocabulary_size
        self.num_classes = num_classes
        self.embedding_dim = embedding_dim
        self.attention_units = attention_units
        self.dropout = dropout
        self.embedding_dropout = embedding_dropout
        self.attention_heads = attention_heads
        self.attention_dropout = attention_dropout
        self.diversity_penalty = diversity_penalty

    def add_embedding(self):
        """Creates `embedding` and `embedding_dropout_layer`."""
        self.embedding = keras.layers.Embedding(
            self.vocabulary_size,
            self.embedding_dim,
            mask_zero=True,
            name="embedding",
        )
        self.embedding_dropout_layer = keras.layers.SpatialDropout1D(
            self.embedding_dropout, name="embedding_dropout"
        )

    def add_output(self):
        """Creates `dropout_layer` and `output_layer`."""
        self.dropout_layer = keras.layers.Dropout(self.dropout, name="dropout")
        self.output_layer = keras.layers.Dense(
            self.num_classes,
            activation="softmax",
            dtype="float32",
            name="output",
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "vocabulary_size": self.vocabulary_size,
                "num_classes": self.num_classes,
                "embedding_dim": self.embedding_dim,
                "attention_units": self.attention_units,
                "dropout": self.dropout,
                "embedding_dropout": self.embedding_dropout,
                "attention_heads": self.attention_heads,
                "attention_dropout": self.attention_dropout,
                "diversity_penalty": self.diversity_penalty,
            }
        )
        return config
