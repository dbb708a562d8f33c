"""Keras layers of the document classifiers as ONNX nodes.

Each function adds the nodes of one Keras layer (or of one preprocessing
step) to a `GraphBuilder` and returns the names of its outputs; the
weights become graph constants. `attention_tf.export.onnx_classifier` wires them
into whole classifiers.
"""

import keras
import numpy as np
from onnx import TensorProto, helper, numpy_helper

# Keras packs LSTM gates as input, forget, cell, output; ONNX as input,
# output, forget, cell. GRU gates (update, reset, candidate) agree.
_LSTM_GATE_ORDER = (0, 3, 1, 2)
_FLOAT32_LOWEST = -3.0e38


class GraphBuilder:
    """Collects nodes and constants; `op` returns its output's name."""

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


def bidirectional(g, kind, x, mask, layer):
    """A masked `Bidirectional(LSTM|GRU)` as one ONNX op.

    Returns `[batch, time, 2 * units]`, forward then backward, as Keras'
    "concat" merge.
    """
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


def attention_pooling(g, values, mask, layer):
    """`AttentionPooling` in pooling mode: pooled values and weights.

    With several heads the pooled values are concatenated head after head,
    as in the layer, and the weights `[batch, time]` are their mean over
    the heads (a text's weights still sum to 1).
    """
    heads = getattr(layer, "heads", 1)
    projected = g.op("MatMul", values, g.const(_numpy(layer.kernel)))
    if layer.use_bias:
        projected = g.op("Add", projected, g.const(_numpy(layer.bias)))
    context = _numpy(layer.context).reshape(layer.units, heads)
    # [batch, time, heads] to a row of scores per head, [batch, heads, time].
    scores = g.op(
        "Transpose",
        g.op("MatMul", g.op("Tanh", projected), g.const(context)),
        perm=[0, 2, 1],
    )
    mask = g.op("Unsqueeze", mask, g.const([1]))
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
    pooled = g.op("MatMul", weights, values)
    return (
        g.op("Reshape", pooled, g.const([0, -1])),
        g.op("ReduceMean", weights, axes=[1], keepdims=0),
    )


def dense_softmax(g, x, layer):
    activation = keras.activations.serialize(layer.activation)
    if activation != "softmax":
        raise ValueError(
            f"ONNX export expects a softmax output layer; got {activation!r}."
        )
    logits = g.op("MatMul", x, g.const(_numpy(layer.kernel)))
    if layer.use_bias:
        logits = g.op("Add", logits, g.const(_numpy(layer.bias)))
    return g.op("Softmax", logits, axis=-1)


def embedding(g, ids, layer):
    """`Embedding`: a row of the table per id."""
    return g.op("Gather", g.const(_numpy(layer.embeddings)), ids, axis=0)


def _numpy(variable):
    return keras.ops.convert_to_numpy(variable).astype("float32")


def split_into_sentences(g, ids, boundary_ids, max_sentences, max_words):
    """`[batch, time]` ids into `[batch, max_sentences, max_words]`.

    The rule of `attention_tf.preprocessing.sentences.split_into_sentences`: a
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
    valid = g.op("Not", g.op("Equal", ids, g.const(0, "int64")))
    sentence = _token_sentences(g, ids, boundary_ids, max_sentences)
    word = _token_words(g, sentence, valid, max_sentences)
    kept, slots = _token_slots(
        g, valid, sentence, word, max_sentences, max_words
    )
    return _scatter_to_slots(
        g, ids, kept, slots, max_sentences, max_words
    ), slots


def _token_sentences(g, ids, boundary_ids, max_sentences):
    """Step 1: each token's sentence, the boundary ids before it (capped)."""
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
    return g.op("Min", sentence, g.const(max_sentences, "int64"))


def _token_words(g, sentence, valid, max_sentences):
    """Step 2: each token's position within its sentence."""
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
    return g.op(
        "Sub", positions, g.op("GatherElements", starts, sentence, axis=1)
    )


def _token_slots(g, valid, sentence, word, max_sentences, max_words):
    """Step 3a: `(kept, slots)`, the spare slot for tokens not kept."""
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
        g.const(max_sentences * max_words, "int64"),
    )
    return kept, slots


def _scatter_to_slots(g, ids, kept, slots, max_sentences, max_words):
    """Step 3b: kept ids scattered to their slots, the spare slot cut off."""
    slots_total = max_sentences * max_words
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
    return g.op("Reshape", scattered, g.const([-1, max_sentences, max_words]))
