import numpy as np
import pytest
import tensorflow as tf

from attention_tf.explain.attribution_methods import (
    COMPLETENESS_TOLERANCE,
    integrated_gradients,
    leave_one_out,
)
from attention_tf.models import HierarchicalAttentionClassifier

TEXT = "The plot was awful and boring. The actor was dull but I loved it!"


def _ids(model, text=TEXT):
    return model(tf.constant([text]), return_attention_scores=True)[1].numpy()[
        0
    ]


@pytest.fixture(params=["bilstm", "han"])
def explainer(request):
    return request.getfixturevalue(f"{request.param}_explainer")


@pytest.fixture
def model(explainer):
    return explainer.model


def test_embeddings_argument_gives_the_lookup_result(model):
    ids = _ids(model)[None]
    classifier = model.classifier
    embedded = classifier.embedding(tf.constant(ids))
    np.testing.assert_allclose(
        classifier(ids, embeddings=embedded).numpy(),
        classifier(ids).numpy(),
        atol=1e-6,
    )


def test_integrated_gradients_are_complete(model, explainer):
    ids = _ids(model)
    compiled = explainer.compiled
    result = integrated_gradients(compiled, ids, target=1)
    assert abs(result["completeness_gap"]) <= COMPLETENESS_TOLERANCE
    np.testing.assert_allclose(
        result["output"], model.classifier(ids[None]).numpy()[0, 1], atol=1e-6
    )
    fine = integrated_gradients(compiled, ids, target=1, steps=256)
    assert abs(fine["completeness_gap"]) < 2e-3
    assert len(result["attributions"]) == np.count_nonzero(ids)


def test_integrated_gradients_match_finite_differences(bilstm_explainer):
    """Autodiff gradients against central differences, same quadrature."""
    trained_bilstm = bilstm_explainer.model
    classifier = trained_bilstm.classifier
    ids = _ids(trained_bilstm, "awful movie but loved it")
    steps, eps = 4, 1e-2
    embedded = classifier.embedding(tf.constant(ids[None])).numpy()[0]
    time, dim = embedded.shape
    points = []
    for alpha in np.linspace(0, 1, steps + 1):
        for t in range(time):
            for d in range(dim):
                for sign in (1, -1):
                    point = alpha * embedded.copy()
                    point[t, d] += sign * eps
                    points.append(point)
    points = np.array(points, "float32")
    outputs = classifier(
        np.repeat(ids[None], len(points), 0), embeddings=points
    ).numpy()[:, 0]
    gradients = (outputs[0::2] - outputs[1::2]) / (2 * eps)
    gradients = gradients.reshape(steps + 1, time, dim)
    rule = np.full(steps + 1, 1.0 / steps)
    rule[[0, -1]] /= 2
    expected = (embedded * np.tensordot(rule, gradients, 1)).sum(-1)
    result = integrated_gradients(
        bilstm_explainer.compiled, ids, target=0, steps=steps
    )
    np.testing.assert_allclose(result["attributions"], expected, atol=2e-3)


def test_leave_one_out_matches_reclassifying_the_shorter_text(model, explainer):
    [result] = explainer.explain([TEXT], methods=("leave_one_out",))
    words, target = result["words"], model.class_names.index(result["label"])
    full = result["probabilities"][result["label"]]
    # Sentence ends are skipped: deleting one from the string would merge
    # two of HAN's sentences, while deleting it from the ids does not.
    checked = [i for i, w in enumerate(words) if w not in (".", "!")]
    shorter = [" ".join(words[:i] + words[i + 1 :]) for i in checked]
    probabilities = model(tf.constant(shorter)).numpy()[:, target]
    np.testing.assert_allclose(
        np.array(result["leave_one_out"])[checked],
        full - probabilities,
        atol=1e-5,
    )


def test_explainer_words_and_attention(model, explainer):
    results = explainer.explain([TEXT, "loved it"])
    for result in results:
        assert len(result["words"]) == len(result["attention"])
        assert len(result["integrated_gradients"]) == len(result["words"])
        np.testing.assert_allclose(sum(result["attention"]), 1.0, atol=1e-5)
        np.testing.assert_allclose(
            sum(result["probabilities"].values()), 1.0, atol=1e-5
        )
    assert results[1]["words"] == ["loved", "it"]
    hierarchical = isinstance(model.classifier, HierarchicalAttentionClassifier)
    assert ("sentence" in results[0]) == hierarchical


def test_trained_attributions_point_at_the_sentiment_words(bilstm_explainer):
    # Attention is not asserted: a BiLSTM's states mix in their context, so
    # its weights need not peak on the word that decides (and here do not).
    [result] = bilstm_explainer.explain(
        ["the movie was awful and the actor a scene"]
    )
    assert result["label"] == "neg"
    for method in ("integrated_gradients", "leave_one_out"):
        top = result["words"][int(np.argmax(result[method]))]
        assert top == "awful", method


def test_unknown_methods_are_refused(bilstm_explainer):
    with pytest.raises(
        ValueError, match=r"Unknown attribution methods \['saliency'\]"
    ):
        bilstm_explainer.explain(["a"], methods=("saliency",))


def test_leave_one_out_of_a_text_without_words(bilstm_explainer):
    ids = np.zeros(3, "int64")
    assert leave_one_out(bilstm_explainer.compiled, ids, 0).shape == (0,)
