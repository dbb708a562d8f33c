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
or padding, get 0).
"""

import keras
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from attention_tf.models import (
    BiLSTMAttentionClassifier,
    HierarchicalAttentionClassifier,
)

OPSET = 17
# Keras packs LSTM gates as input, forget, cell, output; ONNX as input,
# output, forget, cell. GRU gates (update, reset, candidate) agree.
_LSTM_GATE_ORDER = (0, 3, 1, 2)
_FLOAT32_LOWEST = -3.0e38


class _Graph:
    """Collects nodes and constants; every op returns its output's name."""

    def __init__(self):
        self.nodes, self.constants, self._count = [], [], 0

    def const(self, array, dtype=None):
        name = self._fresh("const")
        array = np.asarray(array, dtype=dtype)
        self.constants.append(numpy_helper.from_array(array, name))
        return name

    def op(self, op_type, *inputs, output=None, **attributes):
        output = output or self._fresh(op_type)
        self.nodes.append(
            helper.make_node(op_type, list(inputs), [output], **attributes)
        )
        return output

    def _fresh(self, prefix):
        self._count += 1
        return f"{prefix}_{self._count}"


def classifier_to_onnx(classifier, max_length=None, sentences=None):
    """Builds the ONNX model of a document classifier.

    Args:
        classifier: A built `BiLSTMAttentionClassifier` or
            `HierarchicalAttentionClassifier`.
        max_length: Token cap of a flat classifier (ids beyond it are
            ignored), or `None`.
        sentences: For a hierarchical classifier, a tuple
            `(boundary_ids, max_sentences, max_words)`.

    Returns:
        An `onnx.ModelProto`, checked by `onnx.checker`.
    """
    g = _Graph()
    ids = "token_ids"
    if isinstance(classifier, BiLSTMAttentionClassifier):
        probabilities, attention = _flat(g, ids, classifier, max_length)
    elif isinstance(classifier, HierarchicalAttentionClassifier):
        if sentences is None or None in sentences[1:]:
            raise ValueError(
                "ONNX export of a hierarchical classifier needs its sentence "
                "rules: boundary ids, max_sentences and max_words."
            )
        probabilities, attention = _hierarchical(g, ids, classifier, *sentences)
    else:
        raise ValueError(
            "ONNX export takes a BiLSTMAttentionClassifier or a "
            f"HierarchicalAttentionClassifier. Received: "
            f"{type(classifier).__name__}"
        )
    g.op("Identity", probabilities, output="probabilities")
    g.op("Identity", attention, output="attention")
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


def _flat(g, ids, classifier, max_length):
    seen = ids
    if max_length is not None:
        seen = g.op(
            "Slice", ids, g.const([0]), g.const([max_length]), g.const([1])
        )
    mask = g.op("Not", g.op("Equal", seen, g.const(0, "int64")))
    x = _embed(g, seen, classifier.embedding)
    encoded = _bidirectional(g, "LSTM", x, mask, classifier.encoder)
    pooled, weights = _attention(g, encoded, mask, classifier.attention)
    if max_length is not None:
        # Zero weights for the ids beyond the cap: `attention` lines up
        # with `token_ids` whatever their length.
        time = g.op("Gather", g.op("Shape", ids), g.const([1]))
        extra = g.op(
            "Max", g.op("Sub", time, g.const([max_length])), g.const([0])
        )
        pads = g.op("Concat", g.const([0, 0, 0]), extra, axis=0)
        weights = g.op("Pad", weights, pads)
    return _dense(g, pooled, classifier.output_layer), weights


def _hierarchical(g, ids, classifier, boundary_ids, max_sentences, max_words):
    word_ids, slots = _split_into_sentences(
        g, ids, boundary_ids, max_sentences, max_words
    )
    words = g.op("Reshape", word_ids, g.const([-1, max_words]))
    word_mask = g.op("Not", g.op("Equal", words, g.const(0, "int64")))
    x = _embed(g, words, classifier.embedding)
    x = _bidirectional(g, "GRU", x, word_mask, classifier.word_encoder)
    vectors, word_weights = _attention(
        g, x, word_mask, classifier.word_attention
    )
    vectors = g.op(
        "Reshape",
        vectors,
        g.const([-1, max_sentences, 2 * classifier.word_units]),
    )
    # A sentence is masked when all its words are.
    sentence_mask = g.op(
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
    x = _bidirectional(
        g, "GRU", vectors, sentence_mask, classifier.sentence_encoder
    )
    document, _ = _attention(g, x, sentence_mask, classifier.sentence_attention)
    # Each token's word weight, read back from its sentence slot; dropped
    # tokens point at an appended zero.
    word_weights = g.op(
        "Reshape", word_weights, g.const([-1, max_sentences * max_words])
    )
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
    weights = g.op("GatherElements", word_weights, slots, axis=1)
    return _dense(g, document, classifier.output_layer), weights


def _split_into_sentences(g, ids, boundary_ids, max_sentences, max_words):
    """`[batch, time]` ids into `[batch, max_sentences, max_words]`.

    The rule of `attention_tf.data.sentences.split_into_sentences`: a
    sentence ends after a boundary id; sentences and words beyond the caps
    are dropped.

    1. Sentence of each token: the number of boundary ids before it.
    2. Word of each token: its position minus its sentence's start, the
       count of tokens in the sentences before (one-hot over sentences).
    3. Kept tokens are scattered to slot `sentence * max_words + word`;
       padding and dropped tokens go to one spare slot, cut off after.

    Returns:
        The sentence ids and, per token, its slot (the spare slot
        `max_sentences * max_words` for tokens the model does not see).
    """
    slots_total = max_sentences * max_words
    valid = g.op("Not", g.op("Equal", ids, g.const(0, "int64")))
    boundaries = g.const(list(boundary_ids) or [-1], "int64")
    is_end = g.op(
        "ReduceMax",
        g.op(
            "Cast",
            g.op("Equal", g.op("Unsqueeze", ids, g.const([2])), boundaries),
            to=TensorProto.INT64,
        ),
        axes=[2],
        keepdims=0,
    )
    sentence = g.op("CumSum", is_end, g.const(1), exclusive=1)
    # Sentences past the cap share index `max_sentences` (dropped).
    sentence = g.op("Min", sentence, g.const(max_sentences, "int64"))
    one_hot = g.op(
        "Cast",
        g.op(
            "And",
            g.op(
                "Equal",
                g.op("Unsqueeze", sentence, g.const([2])),
                g.const(np.arange(max_sentences + 1), "int64"),
            ),
            g.op("Unsqueeze", valid, g.const([2])),
        ),
        to=TensorProto.INT64,
    )
    sizes = g.op("ReduceSum", one_hot, g.const([1]), keepdims=0)
    starts = g.op("CumSum", sizes, g.const(1), exclusive=1)
    positions = g.op(
        "CumSum",
        g.op("Cast", valid, to=TensorProto.INT64),
        g.const(1),
        exclusive=1,
    )
    word = g.op(
        "Sub", positions, g.op("GatherElements", starts, sentence, axis=1)
    )
    kept = g.op(
        "And",
        valid,
        g.op(
            "And",
            g.op("Less", sentence, g.const(max_sentences, "int64")),
            g.op("Less", word, g.const(max_words, "int64")),
        ),
    )
    slots = g.op(
        "Where",
        kept,
        g.op("Add", g.op("Mul", sentence, g.const(max_words, "int64")), word),
        g.const(slots_total, "int64"),
    )
    batch = g.op("Gather", g.op("Shape", ids), g.const([0]))
    empty = g.op(
        "ConstantOfShape",
        g.op("Concat", batch, g.const([slots_total + 1]), axis=0),
        value=numpy_helper.from_array(np.zeros(1, "int64")),
    )
    # Only the spare slot can receive twice; adding keeps that defined.
    scattered = g.op(
        "ScatterElements",
        empty,
        slots,
        g.op("Where", kept, ids, g.const(0, "int64")),
        axis=1,
        reduction="add",
    )
    scattered = g.op(
        "Slice", scattered, g.const([0]), g.const([slots_total]), g.const([1])
    )
    word_ids = g.op(
        "Reshape", scattered, g.const([-1, max_sentences, max_words])
    )
    return word_ids, slots


def _bidirectional(g, kind, x, mask, layer):
    """A masked `Bidirectional(LSTM|GRU)` as one ONNX op, `[batch, time, 2 units]`."""
    cells = [layer.forward_layer.cell, layer.backward_layer.cell]
    for cell in cells:
        _check_activations(cell, layer.name)
    units = cells[0].units
    lengths = g.op(
        "ReduceSum",
        g.op("Cast", mask, to=TensorProto.INT32),
        g.const([1]),
        keepdims=0,
    )
    # A fully masked row still runs one step; its outputs are never
    # attended to (zero weights), so they do not matter.
    lengths = g.op("Max", lengths, g.const(1, "int32"))
    weights = [_recurrent_weights(kind, cell, units) for cell in cells]
    kernel, recurrent, bias = (
        g.const(np.stack([w[i] for w in weights])) for i in range(3)
    )
    attributes = {"direction": "bidirectional", "hidden_size": units}
    if kind == "GRU":
        attributes["linear_before_reset"] = 1
    outputs = g.op(
        kind,
        g.op("Transpose", x, perm=[1, 0, 2]),
        kernel,
        recurrent,
        bias,
        lengths,
        **attributes,
    )
    # [time, 2, batch, units] to [batch, time, 2 * units], forward first
    # (Keras' "concat" merge).
    outputs = g.op("Transpose", outputs, perm=[2, 0, 1, 3])
    return g.op("Reshape", outputs, g.const([0, 0, 2 * units]))


def _recurrent_weights(kind, cell, units):
    kernel, recurrent = _numpy(cell.kernel), _numpy(cell.recurrent_kernel)
    bias = _numpy(cell.bias) if cell.use_bias else None
    if kind == "LSTM":
        order = np.concatenate(
            [np.arange(units) + gate * units for gate in _LSTM_GATE_ORDER]
        )
        kernel, recurrent = kernel[:, order], recurrent[:, order]
        input_bias = bias[order] if bias is not None else np.zeros(4 * units)
        recurrent_bias = np.zeros_like(input_bias)
    else:
        if not cell.reset_after:
            raise ValueError(
                "ONNX export supports GRU layers with reset_after=True (the "
                "Keras default)."
            )
        if bias is None:
            bias = np.zeros((2, 3 * units))
        input_bias, recurrent_bias = bias[0], bias[1]
    return (
        kernel.T,
        recurrent.T,
        np.concatenate([input_bias, recurrent_bias]).astype("float32"),
    )


def _check_activations(cell, name):
    activations = (
        keras.activations.serialize(cell.activation),
        keras.activations.serialize(cell.recurrent_activation),
    )
    if activations != ("tanh", "sigmoid"):
        raise ValueError(
            f"ONNX export supports tanh/sigmoid recurrent cells; layer "
            f"{name!r} uses {activations}."
        )


def _attention(g, values, mask, layer):
    """`AttentionPooling` in pooling mode: pooled values and weights."""
    projected = g.op("MatMul", values, g.const(_numpy(layer.kernel)))
    if layer.use_bias:
        projected = g.op("Add", projected, g.const(_numpy(layer.bias)))
    scores = g.op(
        "MatMul", g.op("Tanh", projected), g.const(_numpy(layer.context))
    )
    # The layer's masked softmax: masked steps get exactly 0, and a fully
    # masked row all zeros.
    lowest = g.const(_FLOAT32_LOWEST, "float32")
    zero = g.const(0.0, "float32")
    shift = g.op(
        "ReduceMax", g.op("Where", mask, scores, lowest), axes=[-1], keepdims=1
    )
    exp = g.op(
        "Where",
        mask,
        g.op("Exp", g.op("Where", mask, g.op("Sub", scores, shift), zero)),
        zero,
    )
    total = g.op("ReduceSum", exp, g.const([-1]), keepdims=1)
    total = g.op(
        "Where", g.op("Greater", total, zero), total, g.const(1.0, "float32")
    )
    weights = g.op("Div", exp, total)
    pooled = g.op("MatMul", g.op("Unsqueeze", weights, g.const([1])), values)
    return g.op("Squeeze", pooled, g.const([1])), weights


def _dense(g, x, layer):
    activation = keras.activations.serialize(layer.activation)
    if activation != "softmax":
        raise ValueError(
            f"ONNX export expects a softmax output layer; got {activation!r}."
        )
    logits = g.op("MatMul", x, g.const(_numpy(layer.kernel)))
    if layer.use_bias:
        logits = g.op("Add", logits, g.const(_numpy(layer.bias)))
    return g.op("Softmax", logits, axis=-1)


def _embed(g, ids, embedding):
    return g.op("Gather", g.const(_numpy(embedding.embeddings)), ids, axis=0)


def _numpy(variable):
    return keras.ops.convert_to_numpy(variable).astype("float32")
