"""Scores of a `Translator` on held-out pairs: BLEU, chrF, exact match, speed.

The main figures are the field's standard: sacreBLEU's `corpus_bleu` on
cased, detokenised text with its default 13a tokenisation (its signature
string is reported with it) and chrF, one reference per sentence. For
continuity with earlier versions, `bleu_greedy`/`bleu_beam` repeat the
old computation: lowercased, NFKC, punctuation split
(`parallel_text.standardize`), `tokenize="none"`.
"""

import time

import numpy as np

from attention_tf.data import parallel_text


def score(hypotheses, references):
    """`{"bleu_cased", "chrf", "bleu", "bleu_signature"}` of a corpus."""
    import sacrebleu

    bleu = sacrebleu.BLEU()
    cased = bleu.corpus_score(hypotheses, [references])
    lowercased = sacrebleu.corpus_bleu(
        [parallel_text.standardize(h) for h in hypotheses],
        [[parallel_text.standardize(r) for r in references]],
        tokenize="none",
        force=True,
    )
    return {
        "bleu_cased": round(cased.score, 2),
        "chrf": round(
            sacrebleu.CHRF().corpus_score(hypotheses, [references]).score, 2
        ),
        "bleu": round(lowercased.score, 2),
        "bleu_signature": str(bleu.get_signature()),
    }


def translate_timed(translator, sources, beam, alpha):
    """`(translations, sentences_per_second)`; tracing is not timed."""
    translator.translate(sources[:1], beam, alpha)
    start = time.perf_counter()
    translations = translator.translate(sources, beam, alpha, truncate=True)
    return translations, len(sources) / (time.perf_counter() - start)


def choose_beam(translator, validation_pairs, widths, alphas):
    """The `(beam_width, alpha)` of best cased BLEU on the validation pairs.

    Returns:
        `(beam_width, alpha, table)`, `table` mapping "width/alpha" to BLEU.
    """
    sources = [s for s, _ in validation_pairs]
    references = [t for _, t in validation_pairs]
    table = {}
    for width in widths:
        for alpha in alphas:
            outputs = translator.translate(sources, width, alpha, truncate=True)
            table[f"{width}/{alpha}"] = score(
                [t.text for t in outputs], references
            )["bleu_cased"]
    best = max(table, key=table.get)
    width, alpha = best.split("/")
    return int(width), float(alpha), table


def evaluate(translator, test_pairs, dataset):
    """Test metrics of greedy and beam decoding, and the translations.

    Beam decoding uses the translator's own `beam_width` and `alpha`.

    Returns:
        `(metrics, outputs)`, `outputs` mapping "greedy" and "beam" to
        lists of `Translation`s.
    """
    sources = [s for s, _ in test_pairs]
    references = [t for _, t in test_pairs]
    metrics = {"beam_width": translator.beam_width, "alpha": translator.alpha}
    outputs = {}
    for name, width in (("greedy", 1), ("beam", translator.beam_width)):
        outputs[name], speed = translate_timed(
            translator, sources, width, translator.alpha
        )
        hypotheses = [t.text for t in outputs[name]]
        scores = score(hypotheses, references)
        metrics["bleu_signature"] = scores.pop("bleu_signature")
        metrics.update({f"{key}_{name}": v for key, v in scores.items()})
        metrics[f"sentences_per_second_{name}"] = round(speed, 1)
        if dataset == "dates":
            metrics[f"exact_match_{name}"] = round(
                float(
                    np.mean([h == r for h, r in zip(hypotheses, references)])
                ),
                4,
            )
    if dataset == "dates":
        metrics["exact_match"] = metrics["exact_match_greedy"]
        metrics["date_field_alignment"] = round(
            date_field_alignment(outputs["greedy"], references), 4
        )
    return metrics, outputs


# Character positions of each field in an ISO date "YYYY-MM-DD".
_ISO_FIELDS = {"year": range(0, 4), "month": range(5, 7), "day": range(8, 10)}


def date_field_alignment(translations, isos):
    """Share of year/month/day output characters whose attention argmax is
    on a source word that carries that field ("1979", "may", "3rd")."""
    from attention_tf.data import dates

    hits = total = 0
    for translation, iso in zip(translations, isos):
        fields = dates.field_tokens(iso)
        for field, positions in _ISO_FIELDS.items():
            for position in positions:
                if position >= len(translation.weights):
                    continue
                total += 1
                source = int(np.argmax(translation.weights[position]))
                hits += translation.source_tokens[source] in fields[field]
    return hits / max(total, 1)


def spread(total, count):
    """Up to `count` indices spread evenly over `range(total)`."""
    if total <= count:
        return list(range(total))
    return sorted(set(np.linspace(0, total - 1, count + 2).astype(int)[1:-1]))


def samples_text(test_pairs, outputs, count=100):
    """Source, reference, greedy and beam output of `count` test pairs.

    Spread over the test set, which keeps the file's rough order by length,
    so that the samples are not all the shortest sentences.
    """
    lines = []
    for i in spread(len(test_pairs), count):
        source, reference = test_pairs[i]
        lines += [
            f"source:    {source}",
            f"reference: {reference}",
            f"greedy:    {outputs['greedy'][i].text}",
            f"beam:      {outputs['beam'][i].text}",
            "",
        ]
    return "\n".join(lines)
