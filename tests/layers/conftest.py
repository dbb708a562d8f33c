"""Fixtures shared by the layer tests."""

import keras
import numpy as np
import pytest


@pytest.fixture
def rng(request):
    return np.random.default_rng(abs(hash(request.node.name)) % 2**32)


@pytest.fixture
def policy(request):
    """Sets a Keras dtype policy for one test and restores float32 after."""
    keras.config.set_dtype_policy(request.param)
    yield request.param
    keras.config.set_dtype_policy("float32")
