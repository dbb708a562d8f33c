import pytest

from attention_tf.explain.classifier_explainer import ClassifierExplainer
from tests.tiny_models import tiny_classifier


@pytest.fixture(scope="session")
def han():
    return tiny_classifier("han")


# One explainer per model: each compiles its model once.
@pytest.fixture(scope="session")
def bilstm_explainer(trained_bilstm):
    return ClassifierExplainer(trained_bilstm)


@pytest.fixture(scope="session")
def han_explainer(han):
    return ClassifierExplainer(han)
