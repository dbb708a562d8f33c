"""End to end: train the Bahdanau decoder on dates, reload it, translate."""

import json

import keras
import numpy as np
import pytest

from attention_tf import cli
from attention_tf.data import dates
from attention_tf.data.parallel_text import standardize
from attention_tf.training import decoder

# The quick run trains for at most one minute. Eager PyTorch spends most of
# it on a slow first epoch (about 190 ms a step against 9 ms from the
# second) and stops before the task is learnt: a slow test there.
if keras.backend.backend() == "torch":
    pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("dates")
    assert (
        cli.main(
            [
                "train-decoder",
                "--dataset",
                "dates",
                "--quick",
                "--out",
                str(out),
                "--seed",
                "1234",
            ]
        )
        == 0
    )
    return out


def test_outputs_written(run_folder):
    metrics = json.loads((run_folder / "metrics.json").read_text())
    for key in (
        "bleu_greedy",
        "bleu_beam",
        "beam_width",
        "exact_match",
        "train_seconds",
        "sentences_per_second_greedy",
        "sentences_per_second_beam",
        "num_train",
        "num_test",
    ):
        assert key in metrics
    assert metrics["num_test"] >= 2000
    assert metrics["train_seconds"] < 90
    assert (run_folder / "alignments.png").read_bytes()[:4] == b"\x89PNG"
    assert "reference:" in (run_folder / "samples.txt").read_text()
    assert not [p for p in run_folder.iterdir() if "tmp" in p.name]


def test_held_out_dates_exact_and_attention_aligned(run_folder):
    translate = decoder.load_translator(str(run_folder))
    _, test, _ = decoder.load_task("dates", seed=1234, quick=True)
    test = test[:500]
    results = translate([human for human, _ in test])
    exact = [
        "".join(tokens) == iso for (tokens, _), (_, iso) in zip(results, test)
    ]
    assert np.mean(exact) >= 0.95
    # Near-monotonic attention: the year, month and day output tokens attend
    # most to the source token that spells them.
    hits = []
    for (_tokens, weights), (human, iso) in zip(results, test):
        source = standardize(human).split()
        fields = dates.field_tokens(iso)
        for position, field in ((0, "year"), (2, "month"), (4, "day")):
            hits.append(
                source[int(np.argmax(weights[position]))] in fields[field]
            )
    assert np.mean(hits) >= 0.9


def test_beam_search_agrees_on_an_easy_task(run_folder):
    translate = decoder.load_translator(str(run_folder))
    texts = ["Thursday, May 3, 1979", "05/03/79", "3 May 1979"]
    for beam in (0, 4):
        assert ["".join(t) for t, _ in translate(texts, beam)] == [
            "1979-05-03"
        ] * 3


def test_translate_command_handles_bad_input(run_folder, capsys, tmp_path):
    plot = tmp_path / "plot.png"
    assert (
        cli.main(
            [
                "translate",
                "--model",
                str(run_folder),
                "3 May 1979",
                "--beam",
                "4",
                "--plot",
                str(plot),
            ]
        )
        == 0
    )
    assert (
        capsys.readouterr().out.split("\n")[0].replace(" ", "") == "1979-05-03"
    )
    assert plot.exists()
    translate = decoder.load_translator(str(run_folder))
    with pytest.raises(ValueError, match="Empty input"):
        translate(["  "])
    with pytest.raises(ValueError, match="No text"):
        translate([])
    with pytest.warns(UserWarning, match="Unknown words"):
        translate(["3 Floréal 1979"])
    with pytest.warns(UserWarning, match="truncated"):
        ((tokens, weights),) = translate(["3 May 1979 " * 10])
    assert weights.shape[-1] == 16
    with pytest.raises(ValueError, match="model.keras"):
        decoder.load_translator(str(tmp_path))
