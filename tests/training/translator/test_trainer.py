"""End to end: train the translator on dates, reload it, translate."""

import io
import json
import os
import sys

import keras
import numpy as np
import pytest

from attention_tf import cli
from attention_tf.models.bahdanau.translator import Translator
from attention_tf.training.translator.config import preset
from attention_tf.training.translator.data import load_translation_data
from attention_tf.training.translator.evaluation import date_field_alignment

# The quick run trains for at most one minute. Eager PyTorch spends most of
# it on a slow first epoch (about 190 ms a step against 9 ms from the
# second) and stops before the task is learnt: a slow test there.
if keras.backend.backend() == "torch":
    pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("dates")
    arguments = ["train-translator", "--dataset", "dates", "--quick"]
    assert cli.main(arguments + ["--out", str(out), "--seed", "1234"]) == 0
    return out


def test_outputs_written(run_folder):
    metrics = json.loads((run_folder / "metrics.json").read_text())
    for key in (
        "bleu_cased_greedy",
        "bleu_cased_beam",
        "chrf_greedy",
        "chrf_beam",
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
    assert metrics["bleu_signature"].startswith("nrefs:1|case:mixed")
    assert "tok:13a" in metrics["bleu_signature"]
    assert metrics["num_test"] >= 2000
    assert metrics["target_round_trip"] == 1.0
    assert (run_folder / "alignments.png").read_bytes()[:4] == b"\x89PNG"
    assert "reference:" in (run_folder / "samples.txt").read_text()
    assert not [p for p in run_folder.iterdir() if "tmp" in p.name]


def test_held_out_dates_exact_and_attention_aligned(run_folder):
    translator = Translator.load(str(run_folder))
    test = load_translation_data(preset("dates", quick=True)).test[:500]
    results = translator.translate([human for human, _ in test], beam=1)
    isos = [iso for _, iso in test]
    # Detokenised text: "1979-05-03", not "1979 - 05 - 03".
    assert np.mean([r.text == iso for r, iso in zip(results, isos)]) >= 0.95
    # Near-monotonic attention: the year, month and day output characters
    # attend most to the source word that spells them.
    assert date_field_alignment(results, isos) >= 0.9
    first = results[0]
    assert first.weights.shape == (
        len(first.target_tokens),
        len(first.source_tokens),
    )
    np.testing.assert_allclose(first.weights.sum(-1), 1.0, rtol=1e-5)


def test_beam_search_agrees_on_an_easy_task(run_folder):
    translator = Translator.load(str(run_folder))
    texts = ["Thursday, May 3, 1979", "05/03/79", "3 May 1979"]
    for beam in (1, 4):
        outputs = [t.text for t in translator.translate(texts, beam)]
        assert outputs == ["1979-05-03"] * 3


def test_translate_command_prints_text_and_reads_stdin(
    run_folder, capsys, tmp_path, monkeypatch
):
    plot = tmp_path / "plot.png"
    arguments = ["translate", "--model", str(run_folder)]
    assert cli.main(arguments + ["3 May 1979", "--plot", str(plot)]) == 0
    assert capsys.readouterr().out == "1979-05-03\n"
    assert plot.read_bytes()[:4] == b"\x89PNG"
    # No text: one sentence per stdin line, in batches; empty lines stay.
    lines = ["3 May 1979", "", "the 4th of July 1976"] * 30
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    assert cli.main(arguments + ["--beam", "1"]) == 0
    printed = capsys.readouterr().out.split("\n")[:-1]
    assert printed == ["1979-05-03", "", "1976-07-04"] * 30


def test_translate_rejects_bad_input_clearly(run_folder, tmp_path, monkeypatch):
    translator = Translator.load(str(run_folder))
    with pytest.raises(ValueError, match="Empty input"):
        translator.translate(["  "])
    with pytest.raises(ValueError, match="non-empty list"):
        translator.translate([])
    with pytest.warns(UserWarning, match="Unknown words"):
        translator.translate(["3 Floréal 1979"])
    with pytest.raises(ValueError, match="Input 2 has 30 tokens.*at most 16"):
        translator.translate(["3 May 1979", "3 May 1979 " * 10])
    (result,) = translator.translate(["3 May 1979 " * 10], truncate=True)
    assert result.weights.shape[-1] == 16
    monkeypatch.setattr(sys, "stdin", io.StringIO("1 May 1990\n" + "9 " * 40))
    with pytest.raises(ValueError, match="stdin lines 1-2"):
        cli.main(["translate", "--model", str(run_folder)])
    with pytest.raises(ValueError, match="no trained translator"):
        Translator.load(str(tmp_path))


def test_a_trained_model_is_never_replaced_silently(run_folder, capsys):
    model = run_folder / "model.keras"
    before = (model.stat().st_mtime_ns, model.read_bytes())
    arguments = [
        "train-translator",
        "--dataset",
        "dates",
        "--out",
        str(run_folder),
    ]
    with pytest.raises(ValueError, match="already holds a trained"):
        cli.main(arguments + ["--quick"])
    with pytest.raises(ValueError, match="epochs"):
        cli.main(arguments + ["--epochs", "0", "--overwrite"])
    assert (model.stat().st_mtime_ns, model.read_bytes()) == before
    assert not [p for p in os.listdir(run_folder) if p.startswith(".tmp")]


@pytest.mark.slow
def test_a_100_pair_file_trains(tmp_path):
    lines = [f"I have {i} dogs.\tTengo {i} perros." for i in range(100)]
    data = tmp_path / "spa.txt"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "run"
    arguments = ["train-translator", "--data", str(data), "--out", str(out)]
    assert cli.main(arguments + ["--quick", "--minutes", "0.05"]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    # A tenth of the file is held out, not the 2,000 pairs of the full set.
    assert (metrics["num_train"], metrics["num_test"]) == (90, 10)
    # Two training steps teach no Spanish; the run only has to load and decode.
    result = Translator.load(str(out)).translate(["Tengo 7 perros."])[0]
    assert isinstance(result.text, str)
    assert result.weights.shape[-1] == len(result.source_tokens)
