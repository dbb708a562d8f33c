import numpy as np
import pytest

from attention_tf.explain.faithfulness import (
    FRACTIONS,
    RANKINGS,
    aopc,
    evaluate_faithfulness,
    top_word_count,
)
from tests.tiny_models import sentiment_texts


def _mean_model(values):
    """p(class 1) = mean value of the words present (0.5 for none)."""

    def predict(ids):
        ids = np.asarray(ids).reshape(len(ids), -1)
        present = ids != 0
        total = np.where(present, values[ids], 0.0).sum(1)
        count = present.sum(1)
        p = np.where(count > 0, total / np.maximum(count, 1), 0.5)
        return np.stack([1 - p, p], axis=1)

    return predict


@pytest.mark.parametrize(
    "count, expected", [(10, [1, 1, 1, 2, 5]), (250, [3, 13, 25, 50, 125])]
)
def test_top_word_count_rounds_up(count, expected):
    assert [top_word_count(count, f) for f in FRACTIONS] == expected


@pytest.mark.parametrize("shape", [(30,), (5, 8)])
def test_aopc_matches_deleting_words_by_hand(shape):
    rng = np.random.default_rng(sum(shape))
    values = rng.random(100)
    ids = rng.integers(1, 100, size=shape)
    ids.reshape(-1, shape[-1])[:, -2:] = 0  # padding at each row's end
    words = [int(i) for i in ids.ravel() if i != 0]
    scores = rng.normal(size=len(words))
    result = aopc(_mean_model(values), ids, scores, target=1)

    full = np.mean(values[words])
    order = np.argsort(-scores, kind="stable")
    for k, fraction in enumerate(FRACTIONS):
        top = set(order[: top_word_count(len(words), fraction)].tolist())
        rest = [w for j, w in enumerate(words) if j not in top]
        only = [w for j, w in enumerate(words) if j in top]
        assert result["comprehensiveness"][k] == pytest.approx(
            full - np.mean(values[rest])
        )
        assert result["sufficiency"][k] == pytest.approx(
            full - np.mean(values[only])
        )


def test_aopc_of_the_true_ranking_beats_its_reverse():
    rng = np.random.default_rng(3)
    values = rng.random(50)
    ids = rng.integers(1, 50, size=40)
    scores = values[ids]  # exact: the words that raise p(class 1) most
    best = aopc(_mean_model(values), ids, scores, target=1)
    worst = aopc(_mean_model(values), ids, -scores, target=1)
    assert np.mean(best["comprehensiveness"]) > np.mean(
        worst["comprehensiveness"]
    )
    assert np.mean(best["sufficiency"]) < np.mean(worst["sufficiency"])


def test_faithfulness_of_a_trained_model(bilstm_explainer):
    texts, _ = sentiment_texts(12, seed=99)
    explainer = bilstm_explainer
    done = []
    results = evaluate_faithfulness(
        explainer, texts + ["--- ,,,"], seed=0, progress=done.append
    )
    assert results["texts"] == 12 and results["skipped_texts"] == 1
    assert set(results["methods"]) == set(RANKINGS)
    for entry in results["methods"].values():
        for metric in ("comprehensiveness", "sufficiency"):
            curve = entry["per_fraction"][metric]
            assert len(curve) == len(FRACTIONS)
            assert entry[metric] == pytest.approx(np.mean(curve))
    methods = results["methods"]
    for name in ("integrated_gradients", "leave_one_out"):
        assert (
            methods[name]["comprehensiveness"]
            > methods["random"]["comprehensiveness"]
        )
        assert methods[name]["sufficiency"] < methods["random"]["sufficiency"]
    assert results["completeness_gap"]["share_within_tolerance"] > 0.5
    assert done[-1] == 12
