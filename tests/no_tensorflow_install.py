"""An install with no TensorFlow: `make test-no-tf` runs this file.

It runs in a fresh virtual environment holding only `keras`, `jax[cpu]`
and `attention_tf` (no extras), from outside the repository so that the
installed package is the one imported:

1. `tensorflow` cannot be imported, and `attention_tf` comes from the
   environment's site-packages.
2. `AttentionPooling` pools a padded batch on JAX as the NumPy reference
   does (weights and outputs, an all-masked row included).
3. The backend-agnostic models build and run on masked token ids.
4. The TensorFlow-only commands exit with status 2 and one line naming the
   extra to install.

A plain script, not a pytest module: the environment holds no pytest.
"""

import os
import subprocess
import sys
import sysconfig

import keras
import numpy as np

# The NumPy reference of the layer tests (it needs keras and numpy only);
# this script's folder, tests/, is first on sys.path.
from layers.reference import numpy_attention, randomize, weights_of

import attention_tf

# Command lines that need TensorFlow, and the extra each error names.
TENSORFLOW_COMMANDS = {
    ("train-doc-classifier", "--quick"): "train",
    ("export", "--model", "run", "--format", "onnx", "--out", "x"): (
        "tensorflow"
    ),
    ("classify", "--model", "run", "a review"): "tensorflow",
}


def check_no_tensorflow():
    try:
        import tensorflow  # noqa: F401
    except ModuleNotFoundError:
        pass
    else:
        raise AssertionError("tensorflow is installed in this environment")
    site_packages = sysconfig.get_paths()["purelib"]
    assert attention_tf.__file__.startswith(site_packages), (
        f"attention_tf comes from {attention_tf.__file__}, not the install"
    )
    assert keras.backend.backend() == "jax", keras.backend.backend()


def check_masked_pooling(rng):
    values = rng.normal(size=(3, 7, 5)).astype("float32")
    mask = np.arange(7)[None, :] < np.array([[7], [3], [0]])
    layer = attention_tf.AttentionPooling(4)
    layer.build(values.shape)
    randomize(layer, rng)
    outputs, weights = layer(values, mask=mask, return_attention_scores=True)
    expected_outputs, expected_weights = numpy_attention(
        values, mask=mask, **weights_of(layer)
    )
    np.testing.assert_allclose(weights, expected_weights, atol=1e-5)
    np.testing.assert_allclose(outputs, expected_outputs, atol=1e-5)
    np.testing.assert_array_equal(np.asarray(weights)[2], 0.0)


def check_models(rng):
    tokens = rng.integers(1, 20, size=(2, 6))
    tokens[1, 3:] = 0
    flat = attention_tf.BiLSTMAttentionClassifier(
        20, 3, embedding_dim=4, lstm_units=3, attention_units=3
    )
    hierarchical = attention_tf.HierarchicalAttentionClassifier(
        20,
        3,
        embedding_dim=4,
        word_units=3,
        sentence_units=3,
        attention_units=3,
    )
    for model, inputs in ((flat, tokens), (hierarchical, tokens[:, None])):
        probabilities = np.asarray(model(inputs))
        assert probabilities.shape == (2, 3), probabilities.shape
        np.testing.assert_allclose(probabilities.sum(-1), 1.0, rtol=1e-5)
    translator = attention_tf.BahdanauTranslator(
        *(20, 20, 1, 2, 4),
        encoder_units=3,
        decoder_units=3,
        attention_units=3,
        output_units=3,
    )
    translator.build()
    decoded, _, _ = translator.greedy_decode(tokens, max_length=4)
    assert np.asarray(decoded).shape == (2, 4)


def check_commands_name_their_extra():
    command = os.path.join(os.path.dirname(sys.executable), "attention-tf")
    for argv, extra in TENSORFLOW_COMMANDS.items():
        result = subprocess.run(
            [command, *argv], capture_output=True, text=True, check=False
        )
        expected = (
            f"attention-tf: error: {argv[0]} needs tensorflow, which is not "
            f'installed: pip install "attention_tf[{extra}]"\n'
        )
        assert (result.returncode, result.stderr) == (2, expected), (
            argv,
            result.returncode,
            result.stderr,
        )


def main():
    rng = np.random.default_rng(0)
    check_no_tensorflow()
    check_masked_pooling(rng)
    check_models(rng)
    check_commands_name_their_extra()
    print(
        f"attention_tf without TensorFlow: keras {keras.__version__} on "
        f"{keras.backend.backend()}; pooling, models and commands checked"
    )


if __name__ == "__main__":
    main()
