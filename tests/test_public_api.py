"""The public API, snapshotted: changing it is a decision made here.

Each public package's `__all__` must equal the list below, and every name
in it must resolve. Add or remove a name here in the same change that adds
or removes it from the package (and say so in CHANGELOG.md).
"""

import importlib
import pathlib

import pytest

PUBLIC_API = {
    "attention_tf": [
        "AttentionPooling",
        "BahdanauDecoderCell",
        "BahdanauTranslator",
        "BiLSTMAttentionClassifier",
        "DocumentClassifier",
        "DocumentClassifierPreprocessor",
        "EndToEndClassifier",
        "HierarchicalAttentionClassifier",
        "Translator",
        "__version__",
    ],
    "attention_tf.layers": ["AttentionPooling"],
    "attention_tf.samplers": ["beam_search", "greedy_search", "length_penalty"],
    "attention_tf.preprocessing": ["TextStandardizer"],
    "attention_tf.data": [
        "IMDB_ENV_VAR",
        "TextStandardizer",
        "load_imdb",
        "load_labelled_texts",
    ],
    "attention_tf.models": [
        "BahdanauDecoderCell",
        "BahdanauTranslator",
        "BiLSTMAttentionClassifier",
        "DocumentClassifier",
        "DocumentClassifierPreprocessor",
        "EndToEndClassifier",
        "HierarchicalAttentionClassifier",
        "TextStandardizer",
        "Translator",
    ],
    "attention_tf.models.document_classifier": [
        "BiLSTMAttentionClassifier",
        "DocumentClassifier",
        "DocumentClassifierPreprocessor",
        "EndToEndClassifier",
        "HierarchicalAttentionClassifier",
    ],
    "attention_tf.models.bahdanau": [
        "BahdanauDecoderCell",
        "BahdanauTranslator",
        "Translator",
    ],
    "attention_tf.explain": [
        "ClassifierExplainer",
        "attended_words",
        "attention_html",
    ],
    "attention_tf.export": ["export_classifier", "export_onnx"],
    "attention_tf.bulk": [
        "BatchClassifier",
        "ClassifyJob",
        "CorpusReader",
        "CorpusRow",
        "OutputFolder",
        "classify_files",
    ],
}


@pytest.mark.parametrize("package", sorted(PUBLIC_API))
def test_public_names_are_the_snapshot(package):
    module = importlib.import_module(package)
    assert sorted(module.__all__) == sorted(PUBLIC_API[package])
    for name in module.__all__:
        assert getattr(module, name) is not None, f"{package}.{name}"


def test_the_top_level_names_are_the_models_and_the_layer():
    import attention_tf

    for name in PUBLIC_API["attention_tf"]:
        if name != "__version__":
            value = getattr(attention_tf, name)
            assert value.__name__ == name


def test_every_package_with_public_names_is_in_the_snapshot():
    package = pathlib.Path(__file__).resolve().parents[1] / "attention_tf"
    declaring = {
        ".".join(("attention_tf",) + init.parent.relative_to(package).parts)
        for init in package.rglob("__init__.py")
        if "\n__all__" in init.read_text(encoding="utf-8")
    }
    assert declaring == set(PUBLIC_API)
