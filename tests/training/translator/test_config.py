"""Tests for the translator recipes and how the data is split."""

import dataclasses

import pytest

from attention_tf.commands import translator as translator_commands
from attention_tf.training.translator.config import (
    PRESETS,
    TranslatorConfig,
    preset,
)
from attention_tf.training.translator.data import (
    held_out_size,
    load_translation_data,
)


def test_presets_and_overrides():
    assert preset("dates", quick=True) is PRESETS["dates-quick"]
    assert preset("spa-eng") is PRESETS["spa-eng-full"]
    recipe = dataclasses.replace(PRESETS["spa-eng-full"], minutes=5.0)
    assert recipe.minutes == 5.0 and PRESETS["spa-eng-full"].minutes == 30.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        recipe.minutes = 1.0
    with pytest.raises(ValueError, match="dataset"):
        preset("fra-eng")


@pytest.mark.parametrize(
    "changes, match",
    [
        ({"epochs": 0}, "epochs"),
        ({"direction": "fra-eng"}, "direction"),
        ({"target_model": "words"}, "target_model"),
        ({"dropout": 1.0}, "dropout"),
        ({"test_size": 0}, "test_size"),
        ({"minutes": 0.0}, "minutes"),
        ({"beam_widths": (4, 0)}, "beam_widths"),
        ({"alphas": (-1.0,)}, "alpha"),
        ({"batch_size": True}, "batch_size"),
    ],
)
def test_invalid_recipes_name_the_field(changes, match):
    with pytest.raises(ValueError, match=match):
        dataclasses.replace(TranslatorConfig(), **changes)


def test_command_line_flags_become_a_recipe():
    parser = __import__("attention_tf.cli", fromlist=["x"]).build_parser()
    args = parser.parse_args(
        [
            "train-decoder",
            "--direction",
            "eng-spa",
            "--epochs",
            "3",
            "--test-size",
            "50",
            "--beam",
            "6",
        ]
    )
    recipe = translator_commands.recipe_from_args(args)
    assert (recipe.direction, recipe.epochs, recipe.test_size) == (
        "eng-spa",
        3,
        50,
    )
    assert recipe.beam_width == 6 and recipe.beam_widths == ()


def test_small_files_hold_out_a_tenth(tmp_path):
    lines = [f"I have {i} dogs.\tTengo {i} perros." for i in range(100)]
    path = tmp_path / "spa.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    recipe = dataclasses.replace(PRESETS["spa-eng-full"], validation_size=1000)
    data = load_translation_data(recipe, str(path))
    assert (len(data.train), len(data.validation), len(data.test)) == (
        80,
        10,
        10,
    )
    sources = [{s for s, _ in part} for part in data.__dict__.values()]
    assert not sources[0] & sources[1] and not sources[0] & sources[2]
    assert held_out_size(2000, 118964) == 2000 and held_out_size(2000, 5) == 1
    explicit = dataclasses.replace(recipe, test_size=30, validation_size=0)
    assert len(load_translation_data(explicit, str(path)).test) == 30
