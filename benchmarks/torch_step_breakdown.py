"""Where a PyTorch train step of the `AttentionPooling` model goes.

`benchmarks/backends.py` calls `breakdown` in its PyTorch process, so the
figures share a run (and a machine load) with TensorFlow's graph step.
The model is the backends benchmark's layer workload. Timed one after
another on the same batch:

1. `keras_step`: `model.train_on_batch`, as in the benchmark table.
2. `keras_forward_backward`: the model called on torch tensors, the mean
   squared error and `backward()`: our layer's ops (and `Dense`'s) behind
   Keras' layer-call machinery.
3. `keras_optimizer_update`: Keras' SGD applying those gradients.
4. `keras_trainer_rest`: 1 minus 2 and 3: `train_step` in Python, data
   adaptation, the loss tracker and metrics.
5. `raw_torch_forward_backward` and `raw_torch_step`: the same maths
   written by hand in PyTorch (the same weights; the step adds
   `torch.optim.SGD`), the floor any Keras layer would stand on.

One `train_on_batch` also runs under `torch.profiler`: how many ATen ops it
dispatches, their summed self time, and the most expensive ones.
"""

import keras
import numpy as np
import torch
from torch.profiler import ProfilerActivity, profile

TOP_OPS = 8


def _raw_torch(model):
    """The layer model's maths in plain PyTorch, on copies of its weights."""
    _, pooling, dense = model.layers
    kernel, bias, context, dense_kernel, dense_bias = (
        torch.nn.Parameter(torch.tensor(keras.ops.convert_to_numpy(w)))
        for w in (
            pooling.kernel,
            pooling.bias,
            pooling.context,
            dense.kernel,
            dense.bias,
        )
    )
    parameters = [kernel, bias, context, dense_kernel, dense_bias]

    def forward(values):
        hidden = torch.tanh(values @ kernel + bias)
        weights = torch.softmax(hidden @ context, dim=-1)  # [batch, time]
        pooled = torch.bmm(weights[:, None, :], values)[:, 0]
        return pooled @ dense_kernel + dense_bias

    return forward, parameters


def _mse(predictions, targets):
    return torch.mean((predictions - targets) ** 2)


def _profile(step):
    with profile(activities=[ProfilerActivity.CPU]) as profiler:
        step()
    events = [e for e in profiler.key_averages() if e.key.startswith("aten::")]
    events.sort(key=lambda e: e.self_cpu_time_total, reverse=True)
    return {
        "aten_ops": sum(e.count for e in events),
        "aten_self_ms": round(
            sum(e.self_cpu_time_total for e in events) / 1000, 2
        ),
        "top_ops_self_ms": {
            e.key: round(e.self_cpu_time_total / 1000, 2)
            for e in events[:TOP_OPS]
        },
    }


def breakdown(model, values, targets, step_ms):
    """Median milliseconds of each part (see the module docstring).

    Args:
        model: The compiled layer model (SGD, mean squared error).
        values, targets: One NumPy batch.
        step_ms: `step_ms(function) -> (median, fastest, median_cpu)`.
    """
    x, y = (torch.as_tensor(a) for a in (values, targets))
    variables = model.trainable_weights

    def keras_forward_backward():
        model.zero_grad()
        _mse(model(x, training=True), y).backward()

    def keras_optimizer_update():
        with torch.no_grad():
            model.optimizer.apply([v.value.grad for v in variables], variables)

    forward, parameters = _raw_torch(model)
    # Same weights, same maths: the hand-written model must agree.
    np.testing.assert_allclose(
        forward(x).detach().numpy(), model(x).detach().numpy(), rtol=1e-4
    )
    optimizer = torch.optim.SGD(parameters, lr=0.01)

    def raw_torch_forward_backward():
        optimizer.zero_grad(set_to_none=True)
        _mse(forward(x), y).backward()

    def raw_torch_step():
        raw_torch_forward_backward()
        optimizer.step()

    def keras_step():
        model.train_on_batch(values, targets)

    timed = {
        name: step_ms(function)
        for name, function in (
            ("keras_step", keras_step),
            ("keras_forward_backward", keras_forward_backward),
            ("keras_optimizer_update", keras_optimizer_update),
            ("raw_torch_forward_backward", raw_torch_forward_backward),
            ("raw_torch_step", raw_torch_step),
        )
    }
    # Medians: index 0 of step_ms is wall time, 2 process CPU time.
    wall, cpu = ({k: t[i] for k, t in timed.items()} for i in (0, 2))
    for parts in (wall, cpu):
        parts["keras_trainer_rest"] = round(
            parts["keras_step"]
            - parts["keras_forward_backward"]
            - parts["keras_optimizer_update"],
            2,
        )
    return {
        "median_ms": wall,
        "median_cpu_ms": cpu,
        "profile_keras_step": _profile(keras_step),
        "profile_raw_torch_step": _profile(raw_torch_step),
    }
