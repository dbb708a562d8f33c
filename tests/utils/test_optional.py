"""The Keras-only core: `import attention_tf` with no TensorFlow.

A child process hides TensorFlow with a meta-path finder (as if it were not
installed), runs on the JAX backend, and reports what it computed; the
parent checks it against the same layer on the TensorFlow backend.
"""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

import attention_tf
from attention_tf import AttentionPooling

_HIDE_TENSORFLOW = """
import importlib.abc, sys

class HideTensorFlow(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "tensorflow":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, HideTensorFlow())
"""

_CORE_ON_JAX = """
import json
import numpy as np
import keras
import attention_tf
from attention_tf import *  # must not touch the TensorFlow-only names

rng = np.random.default_rng(0)
values = rng.normal(size=(3, 7, 5)).astype("float32")
mask = np.arange(7)[None, :] < np.array([[7], [3], [0]])
layer = AttentionPooling(4)
outputs, weights = layer(values, mask=mask, return_attention_scores=True)
classifier = BiLSTMAttentionClassifier(
    20, 2, embedding_dim=4, lstm_units=3, attention_units=3)
probabilities = classifier(np.array([[3, 5, 0], [0, 0, 0]]))
errors = {}
for module, name in (
    ("attention_tf", "EndToEndClassifier"),
    ("attention_tf.models", "EndToEndClassifier"),
    ("attention_tf.data", "TextStandardizer"),
    ("attention_tf.models", "TextStandardizer"),
):
    try:
        getattr(__import__(module, fromlist=[name]), name)
    except ImportError as error:
        errors[f"{module}.{name}"] = str(error)
print(json.dumps({
    "backend": keras.backend.backend(),
    "tensorflow_imported": "tensorflow" in sys.modules,
    "all": attention_tf.__all__,
    "values": values.tolist(),
    "mask": mask.tolist(),
    "layer_weights": [w.tolist() for w in layer.get_weights()],
    "outputs": np.asarray(outputs).tolist(),
    "weights": np.asarray(weights).tolist(),
    "probabilities": np.asarray(probabilities).tolist(),
    "errors": errors,
}))
"""


def _run_without_tensorflow(code):
    env = dict(os.environ, KERAS_BACKEND="jax", JAX_PLATFORMS="cpu")
    return subprocess.run(
        [sys.executable, "-c", _HIDE_TENSORFLOW + code],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def core_on_jax():
    process = _run_without_tensorflow(_CORE_ON_JAX)
    assert process.returncode == 0, process.stderr[-3000:]
    return json.loads(process.stdout.strip().splitlines()[-1])


def test_core_imports_and_runs_on_jax_without_tensorflow(core_on_jax):
    assert core_on_jax["backend"] == "jax"
    assert not core_on_jax["tensorflow_imported"]
    assert "EndToEndClassifier" not in core_on_jax["all"]
    probabilities = np.array(core_on_jax["probabilities"])
    assert probabilities.shape == (2, 2)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-6)


def test_masked_pooling_on_jax_matches_this_backend(core_on_jax):
    values = np.array(core_on_jax["values"], "float32")
    mask = np.array(core_on_jax["mask"])
    layer = AttentionPooling(4)
    layer.build(values.shape)
    layer.set_weights(
        [np.array(w, "float32") for w in core_on_jax["layer_weights"]]
    )
    outputs, weights = layer(values, mask=mask, return_attention_scores=True)
    np.testing.assert_allclose(core_on_jax["outputs"], outputs, atol=1e-6)
    np.testing.assert_allclose(core_on_jax["weights"], weights, atol=1e-6)
    jax_weights = np.array(core_on_jax["weights"])
    assert np.all(jax_weights[~mask] == 0.0)
    np.testing.assert_array_equal(jax_weights[2], 0.0)  # all steps masked


def test_tensorflow_only_names_fail_with_one_line(core_on_jax):
    hint = 'needs tensorflow, which is not installed: pip install "attention_tf[tensorflow]"'
    assert core_on_jax["errors"] == {
        "attention_tf.EndToEndClassifier": f"attention_tf.EndToEndClassifier {hint}",
        "attention_tf.models.EndToEndClassifier": (
            f"attention_tf.models.EndToEndClassifier {hint}"
        ),
        "attention_tf.data.TextStandardizer": (
            f"attention_tf.data.TextStandardizer {hint}"
        ),
        "attention_tf.models.TextStandardizer": (
            f"attention_tf.models.TextStandardizer {hint}"
        ),
    }


def test_uncaught_import_error_ends_in_the_hint():
    process = _run_without_tensorflow(
        "from attention_tf import EndToEndClassifier\n"
    )
    assert process.returncode == 1
    assert process.stderr.strip().splitlines()[-1] == (
        "attention_tf.utils.optional.MissingDependencyError: "
        "attention_tf.EndToEndClassifier needs tensorflow, "
        'which is not installed: pip install "attention_tf[tensorflow]"'
    )


def test_tensorflow_names_are_public_when_installed():
    assert "EndToEndClassifier" in attention_tf.__all__
    assert attention_tf.EndToEndClassifier.__name__ == "EndToEndClassifier"
    with pytest.raises(AttributeError, match="no attribute 'Missing'"):
        attention_tf.Missing  # noqa: B018
    if keras.backend.backend() == "tensorflow":
        # Registered on import, so saved end-to-end models load at once.
        assert keras.saving.get_registered_object(
            "attention_tf>EndToEndClassifier"
        )
