"""Where the PyTorch classifier step goes: Keras' recurrent loop.

`benchmarks/backends.py` calls `encoder_paths` in its PyTorch process. The
workload is the classifier's encoder alone, `Bidirectional(LSTM)` over the
backends benchmark's classifier shape (right-padded rows of varying
length), timed forward and backward three ways:

1. `keras_masked`: the Keras layer with the mask, as our classifier calls
   it. On PyTorch, Keras' `lstm` raises `NotImplementedError` for a mask
   and falls back to its generic `rnn` loop: one Python iteration per time
   step, with `where` ops to carry states over masked steps.
2. `keras_unmasked`: the same layer without a mask. Keras then runs its
   `_fallback_lstm`: the input projection in one matmul, but still one
   Python iteration per step on a CPU (cuDNN only on CUDA).
3. `torch_fused`: PyTorch's own `nn.LSTM(bidirectional=True)` on a packed
   sequence: the whole recurrence in one ATen kernel per direction.

(1) against (3) is what Keras' PyTorch backend costs a masked LSTM on a
CPU; no ops our layers issue take part in it.
"""

import keras
import numpy as np
import torch


def encoder_paths(shape, step_ms):
    """Median milliseconds per forward and backward pass of each path.

    Args:
        shape: The backends benchmark's `CLASSIFIER_SHAPE`.
        step_ms: `step_ms(function) -> (median, fastest, median_cpu)`.
    """
    rng = np.random.default_rng(0)
    batch, steps = shape["batch"], shape["time"]
    features, units = shape["embedding_dim"], shape["lstm_units"]
    inputs = torch.tensor(
        rng.normal(size=(batch, steps, features)).astype("float32")
    )
    lengths = rng.integers(steps // 4, steps + 1, batch)
    mask = torch.tensor(np.arange(steps)[None, :] < lengths[:, None])
    encoder = keras.layers.Bidirectional(
        keras.layers.LSTM(units, return_sequences=True)
    )
    encoder.build((batch, steps, features))
    fused = torch.nn.LSTM(features, units, batch_first=True, bidirectional=True)

    def keras_pass(layer_mask):
        def step():
            encoder.zero_grad()
            encoder(inputs, mask=layer_mask).sum().backward()

        return step

    def torch_fused():
        fused.zero_grad()
        packed = torch.nn.utils.rnn.pack_padded_sequence(
            inputs,
            torch.tensor(lengths),
            batch_first=True,
            enforce_sorted=False,
        )
        outputs, _ = fused(packed)
        padded, _ = torch.nn.utils.rnn.pad_packed_sequence(
            outputs, batch_first=True, total_length=steps
        )
        padded.sum().backward()

    timed = {
        "keras_masked": step_ms(keras_pass(mask)),
        "keras_unmasked": step_ms(keras_pass(None)),
        "torch_fused": step_ms(torch_fused),
    }
    # Index 0 of step_ms is the median wall time, 2 the median CPU time.
    return {
        "median_ms": {name: t[0] for name, t in timed.items()},
        "median_cpu_ms": {name: t[2] for name, t in timed.items()},
    }
