import pytest

from attention_tf import cli
from tests.bulk.conftest import read_output, write_csv


def test_input_to_output_folder(tmp_path, model_folder, texts, capsys):
    corpus = write_csv(tmp_path / "reviews.csv", texts[:30])
    status = cli.main(
        [
            "classify",
            "--model",
            model_folder,
            "--input",
            str(corpus),
            "--output",
            str(tmp_path / "out"),
            "--id-column",
            "id",
            "--top",
            "1",
        ]
    )
    assert status == 0
    assert capsys.readouterr().out.startswith("30 predictions and 0 errors in ")
    predictions, errors, summary = read_output(tmp_path / "out")
    assert predictions[0]["id"] == "r0" and len(predictions[0]["top"]) == 1
    assert summary["settings"]["top"] == 1 and summary["runner"] == "local"


def test_texts_given_still_print_one_line_each(model_folder, capsys):
    assert (
        cli.main(["classify", "--model", model_folder, "great", "awful"]) == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[0].split("\t")[3] == "'great'"


@pytest.mark.parametrize(
    "extra, message",
    [
        ([], "give one"),
        (["text", "--input", "x.csv"], "not both"),
        (["--input", "x.csv"], "--input needs --output"),
    ],
)
def test_texts_or_input(model_folder, capsys, extra, message):
    assert cli.run(["classify", "--model", model_folder, *extra]) == 2
    error = capsys.readouterr().err
    assert error.startswith("attention-tf: error: ") and message in error
    assert error.count("\n") == 1


def test_help_shows_the_corpus_flags(capsys):
    with pytest.raises(SystemExit):
        cli.main(["classify", "--help"])
    text = capsys.readouterr().out
    for flag in (
        "--input",
        "--output",
        "--id-column",
        "--format",
        "--runner",
        "--workers",
        "--address",
    ):
        assert flag in text
