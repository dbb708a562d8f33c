"""A trained document classifier as an ONNX graph, built from its weights.

The graph is written op by op with `onnx.helper`, from the Keras weights,
so it needs neither TensorFlow nor a converter at inference time, and the
recurrent layers become ONNX's own `LSTM`/`GRU` ops with `sequence_lens`
(the masked Keras recurrence on right-padded ids computes the same thing).

Graph input `token_ids`: int64 `[batch, time]`, right-padded with 0 (the
client tokenises with the vocabulary and the preprocessing rules written
beside the graph). Outputs: `probabilities` `[batch, classes]` and
`attention` `[batch, time]`, aligned with `token_ids` (for the hierarchical
classifier, the word weights; tokens the model did not see, beyond the cap
or padding, get 0). With several attention heads, `attention` is the mean
of the heads' weights, the weight `ClassifierExplainer` shows (before the
sentence weights, for the hierarchical classifier).
"""

import onnx
from onnx import TensorProto, helper

from attention_tf.export import onnx_layers as layers
from attention_tf.models import (
    BiLSTMAttentionClassifier,
    HierarchicalAttentionClassifier,
)

OPSET = 17


def classifier_to_onnx(classifier, max_length=None, sentences=None):
    """Builds the ONNX model of a document classifier.

    Args:
        classifier: A built `BiLSTMAttentionClassifier` or
            `HierarchicalAttentionClassifier`.
        max_length: Token cap (ids beyond it are ignored; for a
            hierarchical classifier, before the sentence split), or `None`.
        sentences: For a hierarchical classifier, a tuple
            `(boundary_ids, max_sentences, max_words)`.

    Returns:
        An `onnx.ModelProto`, checked by `onnx.checker`.
    """
    g = layers.GraphBuilder()
    ids = "token_ids"
    seen = ids
    if max_length is not None:
        seen = g.op(
            "Slice", ids, g.const([0]), g.const([max_length]), g.const([1])
        )
    probabilities, attention = _classifier_graph(g, seen, classifier, sentences)
    if max_length is not None:
        attention = _pad_beyond_cap(g, attention, ids, max_length)
    g.op("Identity", probabilities, output="probabilities")
    g.op("Identity", attention, output="attention")
    return _checked_model(g, ids, classifier)


def _classifier_graph(g, ids, classifier, sentences):
    """`(probabilities, attention)` of the graph of the classifier's kind."""
    if isinstance(classifier, BiLSTMAttentionClassifier):
        return _flat(g, ids, classifier)
    if isinstance(classifier, HierarchicalAttentionClassifier):
        if sentences is None or None in sentences[1:]:
            raise ValueError(
                "ONNX export of a hierarchical classifier needs its sentence "
                "rules: boundary ids, max_sentences and max_words."
            )
        return _hierarchical(g, ids, classifier, *sentences)
    raise ValueError(
        "ONNX export takes a BiLSTMAttentionClassifier or a "
        f"HierarchicalAttentionClassifier. Received: "
        f"{type(classifier).__name__}"
    )


def _pad_beyond_cap(g, attention, ids, max_length):
    """Zero weights for the ids beyond the cap.

    `attention` then lines up with `token_ids` whatever their length.
    """
    time = g.op("Gather", g.op("Shape", ids), g.const([1]))
    extra = g.op("Max", g.op("Sub", time, g.const([max_length])), g.const([0]))
    pads = g.op("Concat", g.const([0, 0, 0]), extra, axis=0)
    return g.op("Pad", attention, pads)


def _checked_model(g, ids, classifier):
    """The `ModelProto` of the nodes built in `g`, checked by `onnx.checker`."""
    graph = helper.make_graph(
        g.nodes,
        type(classifier).__name__,
        [
            helper.make_tensor_value_info(
                ids, TensorProto.INT64, ["batch", "time"]
            )
        ],
        [
            helper.make_tensor_value_info(
                "probabilities",
                TensorProto.FLOAT,
                ["batch", classifier.num_classes],
            ),
            helper.make_tensor_value_info(
                "attention", TensorProto.FLOAT, ["batch", "time"]
            ),
        ],
        initializer=g.constants,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="attention_tf",
    )
    onnx.checker.check_model(model)
    return model


def _flat(g, ids, classifier):
    mask = g.op("Not", g.op("Equal", ids, g.const(0, "int64")))
    x = layers.embedding(g, ids, classifier.embedding)
    encoded = layers.bidirectional(g, "LSTM", x, mask, classifier.encoder)
    pooled, weights = layers.attention_pooling(
        g, encoded, mask, classifier.attention
    )
    return layers.dense_softmax(g, pooled, classifier.output_layer), weights


def _hierarchical(g, ids, classifier, boundary_ids, max_sentences, max_words):
    """`(probabilities, attention)` of a `HierarchicalAttentionClassifier`."""
    word_ids, slots = layers.split_into_sentences(
        g, ids, boundary_ids, max_sentences, max_words
    )
    vectors, word_mask, word_weights = _sentence_vectors(
        g, word_ids, classifier, max_sentences, max_words
    )
    sentence_mask = _sentence_mask(g, word_mask, max_sentences, max_words)
    x = layers.bidirectional(
        g, "GRU", vectors, sentence_mask, classifier.sentence_encoder
    )
    document, _ = layers.attention_pooling(
        g, x, sentence_mask, classifier.sentence_attention
    )
    weights = _token_weights(
        g, word_weights, slots, ids, max_sentences * max_words
    )
    return layers.dense_softmax(g, document, classifier.output_layer), weights


def _sentence_vectors(g, word_ids, classifier, max_sentences, max_words):
    """The word level: every sentence encoded and pooled into one vector.

    Args:
        word_ids: `[batch, max_sentences, max_words]`.

    Returns:
        `(vectors, word_mask, word_weights)`: `[batch, max_sentences,
        features]`, and the mask and attention weights of the words, one
        row per sentence (`[batch * max_sentences, max_words]`).
    """
    words = g.op("Reshape", word_ids, g.const([-1, max_words]))
    word_mask = g.op("Not", g.op("Equal", words, g.const(0, "int64")))
    x = layers.embedding(g, words, classifier.embedding)
    x = layers.bidirectional(g, "GRU", x, word_mask, classifier.word_encoder)
    vectors, word_weights = layers.attention_pooling(
        g, x, word_mask, classifier.word_attention
    )
    features = classifier.attention_heads * 2 * classifier.word_units
    vectors = g.op("Reshape", vectors, g.const([-1, max_sentences, features]))
    return vectors, word_mask, word_weights


def _sentence_mask(g, word_mask, max_sentences, max_words):
    """`[batch, max_sentences]`: a sentence is masked when all its words are."""
    return g.op(
        "Greater",
        g.op(
            "ReduceMax",
            g.op(
                "Reshape",
                g.op("Cast", word_mask, to=TensorProto.INT32),
                g.const([-1, max_sentences, max_words]),
            ),
            axes=[2],
            keepdims=0,
        ),
        g.const(0, "int32"),
    )


def _token_weights(g, word_weights, slots, ids, num_slots):
    """Each token's word weight `[batch, time]`, read from its sentence slot.

    Tokens the model did not see point at the spare slot `num_slots`: an
    appended zero.
    """
    word_weights = g.op("Reshape", word_weights, g.const([-1, num_slots]))
    zero_column = g.op(
        "Expand",
        g.const([[0.0]], "float32"),
        g.op(
            "Concat",
            g.op("Gather", g.op("Shape", ids), g.const([0])),
            g.const([1]),
            axis=0,
        ),
    )
    word_weights = g.op("Concat", word_weights, zero_column, axis=1)
    return g.op("GatherElements", word_weights, slots, axis=1)
