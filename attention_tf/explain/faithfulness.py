"""ERASER faithfulness of word rankings (DeYoung et al. 2020).

For one text, a ranking of its words and the predicted class `c`:

- comprehensiveness at k%: `p(c | x) - p(c | x without its top k% words)`;
  high when the top words were needed;
- sufficiency at k%: `p(c | x) - p(c | only its top k% words)`; low (or
  negative) when the top words alone were enough.

Each is reported as AOPC, the mean over k in `FRACTIONS` (1, 5, 10, 20 and
50% of the words, rounded up, at least one word), then over texts. Words
are deleted, not masked in place (`token_edits.keep_words`).
"""

import numpy as np

from attention_tf.explain.attribution_methods import COMPLETENESS_TOLERANCE
from attention_tf.explain.token_edits import keep_words

FRACTIONS = (0.01, 0.05, 0.1, 0.2, 0.5)
RANKINGS = ("attention", "integrated_gradients", "leave_one_out", "random")


def top_word_count(num_words, fraction):
    """Words in the top `fraction` of a text: rounded up, at least one."""
    return max(1, int(np.ceil(fraction * num_words - 1e-9)))


def removal_masks(scores, fractions=FRACTIONS):
    """Keep-masks `[2 * len(fractions), words]`: without, then only, the top.

    Ties keep reading order (a stable sort), so a constant ranking keeps
    the first words.
    """
    scores = np.asarray(scores, "float64")
    order = np.argsort(-scores, kind="stable")
    without, only = [], []
    for fraction in fractions:
        top = np.zeros(len(scores), bool)
        top[order[: top_word_count(len(scores), fraction)]] = True
        without.append(~top)
        only.append(top)
    return np.array(without + only)


def aopc(predict, ids, scores, target, fractions=FRACTIONS):
    """Comprehensiveness and sufficiency of one ranking of one text.

    Args:
        predict: Function `ids [batch, ...] -> probabilities [batch, C]`.
        ids: The text's ids, `[time]` or `[sentences, words]`.
        scores: One score per word (reading order); higher is more
            important.
        target: The class whose probability is compared.
        fractions: Shares of the words to remove or keep.

    Returns:
        A dict with `comprehensiveness` and `sufficiency`, each a list with
        one value per fraction (their means are the AOPC).
    """
    full = predict(np.asarray(ids)[None])[0, target]
    variants = keep_words(ids, removal_masks(scores, fractions))
    changed = full - predict(variants)[:, target]
    return {
        "comprehensiveness": changed[: len(fractions)].tolist(),
        "sufficiency": changed[len(fractions) :].tolist(),
    }


def evaluate_faithfulness(explainer, texts, seed=0, progress=None):
    """AOPC of every ranking in `RANKINGS` over `texts`.

    Args:
        explainer: A `ClassifierExplainer`.
        texts: The held-out texts; ones with no words are counted in
            `skipped_texts`, not scored.
        seed: Seed of the random ranking.
        progress: Optional function called with the count done.

    Returns:
        A dict: `methods` ({ranking: {comprehensiveness, sufficiency, and
        `per_fraction` lists}}), `fractions`, `texts`, `skipped_texts`,
        the completeness gaps of integrated gradients (`max_abs` and
        `share_within_tolerance`) and `steps`.
    """
    rng = np.random.default_rng(seed)

    totals = {name: [] for name in RANKINGS}
    gaps, skipped = [], 0
    for done, text in enumerate(texts, 1):
        probabilities, ids, weights = explainer.read([text])
        result = explainer.explain_row(probabilities[0], ids[0], weights[0])
        if not result["words"]:
            skipped += 1
            continue
        target = explainer.class_names.index(result["label"])
        result["random"] = rng.permutation(len(result["words"]))
        gaps.append(result["integrated_gradients_check"]["completeness_gap"])
        for name in RANKINGS:
            totals[name].append(
                aopc(explainer.compiled.predict, ids[0], result[name], target)
            )
        if progress:
            progress(done)
    if not gaps:
        raise ValueError("None of the texts has a word the model reads.")
    return _summary(totals, gaps, explainer, len(texts), skipped)


def _summary(totals, gaps, explainer, count, skipped):
    methods = {}
    for name, runs in totals.items():
        entry = {"per_fraction": {}}
        for metric in ("comprehensiveness", "sufficiency"):
            curve = np.mean([run[metric] for run in runs], axis=0)
            entry["per_fraction"][metric] = curve.tolist()
            entry[metric] = float(curve.mean())
        methods[name] = entry
    gaps = np.abs(gaps)
    return {
        "methods": methods,
        "fractions": list(FRACTIONS),
        "texts": count - skipped,
        "skipped_texts": skipped,
        "steps": explainer.steps,
        "completeness_gap": {
            "max_abs": float(gaps.max()),
            "mean_abs": float(gaps.mean()),
            "share_within_tolerance": float(
                np.mean(gaps <= COMPLETENESS_TOLERANCE)
            ),
        },
    }
