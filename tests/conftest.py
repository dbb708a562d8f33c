import pytest

# Run by `make test-no-tf` in an environment of its own (keras and JAX, no
# TensorFlow); importing it here would fail on its `layers.reference` path.
collect_ignore = ["no_tensorflow_install.py"]


@pytest.fixture(scope="session")
def trained_bilstm():
    """A tiny end-to-end BiLSTM classifier, trained (explain, commands)."""
    from tests.tiny_models import tiny_classifier

    return tiny_classifier("bilstm", epochs=4)
