"""Step-by-step inference of `BahdanauTranslator`: the samplers, compiled.

`BahdanauTranslatorGeneration` holds what runs the trained decoder one
token at a time: greedy decoding, beam search, `generate` that chooses
between them, and the teacher-forced attention weights. The decoding
strategies themselves live in `attention_tf.samplers`; here they are fed
the translator's encoder outputs and `decode_step`, and compiled once per
graph shape.
"""

import keras
from keras import ops

from attention_tf import samplers
from attention_tf.utils.arguments import check_positive_integers


class BahdanauTranslatorGeneration:
    """Inference methods of `BahdanauTranslator`, a mixin for that model.

    The model provides `encode(source)`, `decode_step(tokens, states,
    annotations, projected, source_mask)`, `start_token_id`,
    `end_token_id` and a `_compiled = {}` cache of compiled decoders.
    """

    def attention_weights(self, source, target):
        """Teacher-forced attention weights `[batch, target_time, source_time]`."""
        annotations, projected, mask, states = self.encode(source)
        target = ops.convert_to_tensor(target, "int32")
        rows = []
        for i in range(target.shape[1]):
            _, states, weights = self.decode_step(
                target[:, i], states, annotations, projected, mask
            )
            rows.append(weights)
        return ops.stack(rows, axis=1)

    def greedy_decode(self, source, max_length=50):
        """Greedy decoding of a batch, compiled.

        Args:
            source: Int ids `[batch, time]`, 0-padded.
            max_length: Most tokens to emit per sentence, end token included.

        Returns:
            `(tokens, scores, weights)`: ids `[batch, max_length]` ending with
            `end_token_id` (then 0), summed log-probabilities `[batch]`, and
            attention weights `[batch, max_length, time]`.
        """
        check_positive_integers(max_length=max_length)
        return self._run(
            ("greedy", max_length),
            lambda s: self._greedy(s, max_length),
            source,
        )

    def beam_search(self, source, beam_width=4, max_length=50, alpha=0.6):
        """Beam search of a batch, compiled; returns as `greedy_decode`.

        Args:
            source: Int ids `[batch, time]`, 0-padded.
            beam_width: Hypotheses kept per sentence.
            max_length: Most tokens to emit per sentence.
            alpha: Length-penalty exponent, `((5 + length) / 6) ** alpha`.
        """
        check_positive_integers(beam_width=beam_width, max_length=max_length)
        # `alpha` is a graph input, not a constant: trying several length
        # penalties (choosing them on a validation split) reuses one graph
        # per beam width.
        return self._run(
            ("beam", max_length, beam_width),
            lambda s, a: self._beam(s, max_length, beam_width, a),
            source,
            ops.convert_to_tensor(float(alpha), "float32"),
        )

    def generate(self, source, max_length=50, beam_width=1, alpha=0.6):
        """Greedy decoding for `beam_width=1`, beam search above it.

        The one place that chooses between the two samplers; returns as
        `greedy_decode`.
        """
        if beam_width == 1:
            return self.greedy_decode(source, max_length)
        return self.beam_search(source, beam_width, max_length, alpha)

    def _run(self, key, function, source, *scalars):
        """Calls `function(source, *scalars)`, compiled once per `key`.

        `key` holds the Python values that shape the graph; `scalars` are
        float32 scalar tensors fed to it.
        """
        if key not in self._compiled:
            self._compiled[key] = _compile(function, len(scalars))
        return self._compiled[key](source_ids(source), *scalars)

    def _step_fn(self, annotations, projected, mask):
        def step_fn(tokens, states):
            logits, states, weights = self.decode_step(
                tokens, states, annotations, projected, mask
            )
            return ops.log_softmax(ops.cast(logits, "float32")), states, weights

        return step_fn

    def _greedy(self, source, max_length):
        step_fn, states, start = self._sampler_inputs(source)
        return samplers.greedy_search(
            step_fn,
            states,
            start,
            self.end_token_id,
            max_length,
            ops.shape(source)[1],
        )

    def _beam(self, source, max_length, beam_width, alpha):
        step_fn, states, start = self._sampler_inputs(source, beam_width)
        return samplers.beam_search(
            step_fn,
            states,
            start,
            self.end_token_id,
            max_length,
            ops.shape(source)[1],
            beam_width,
            alpha,
        )

    def _sampler_inputs(self, source, copies=1):
        """`(step_fn, states, start_tokens)` of `source`, each row `copies` times.

        Beam search decodes `copies = beam_width` rows per sentence.
        """
        annotations, projected, mask, states = self.encode(source)
        if copies > 1:
            repeat = lambda x: ops.repeat(x, copies, axis=0)  # noqa: E731
            annotations, projected, mask = map(
                repeat, (annotations, projected, mask)
            )
            states = [repeat(state) for state in states]
        start = ops.full(
            (ops.shape(source)[0] * copies,), self.start_token_id, "int32"
        )
        return self._step_fn(annotations, projected, mask), states, start


def source_ids(source):
    """`source` as int32 ids, checked to be `[batch, time]`."""
    source = ops.convert_to_tensor(source, "int32")
    if len(source.shape) != 2:
        raise ValueError(
            "`source` must be token ids of shape [batch, time]. "
            f"Received: shape={tuple(source.shape)}"
        )
    return source


def _compile(function, num_scalars=0):
    """Traces `function(source, *scalars)` into a graph where possible."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.function(
            function,
            input_signature=[tf.TensorSpec([None, None], tf.int32)]
            + [tf.TensorSpec([], tf.float32)] * num_scalars,
            autograph=False,
        )
    if backend == "jax":
        import jax

        return jax.jit(function)
    return function
