"""A trained classifier as an ONNX graph, with its vocabulary and rules.

`model.onnx` takes `token_ids` int64 `[batch, time]`, right-padded with 0,
and returns `probabilities` and `attention` `[batch, time]`;
`vocabulary.txt` (line i is token id i) and `preprocessing.json` (the
standardisation, split, cap and padding rules) let a client in any language
tokenise as the model did. See `attention_tf.export.onnx_classifier`.
"""

import json
import os

from attention_tf.export.saved_model import check_exportable
from attention_tf.preprocessing.text_standardizer import REPLACEMENTS
from attention_tf.utils.atomic_files import write_folder_atomically
from attention_tf.utils.optional import import_optional


def export_onnx(model, out):
    """Writes `model` (an `EndToEndClassifier`) as ONNX in the folder `out`.

    1. `model.onnx`: the classifier, from token ids (see
       `attention_tf.export.onnx_classifier`).
    2. `vocabulary.txt`: one token a line; line i is token id i.
    3. `preprocessing.json`: how raw text becomes `token_ids`.

    The folder appears whole or not at all.
    """
    check_exportable(model)
    onnx_classifier = import_optional(
        "attention_tf.export.onnx_classifier", "`export --format onnx`", "onnx"
    )
    preprocessor = model.preprocessor
    sentences = None
    if preprocessor.hierarchical:
        sentences = (
            preprocessor.sentence_boundary_ids,
            preprocessor.max_sentences,
            preprocessor.max_words,
        )
    graph = onnx_classifier.classifier_to_onnx(
        model.classifier,
        max_length=preprocessor.max_length,
        sentences=sentences,
    )
    vocabulary = preprocessor.vectorizer.get_vocabulary()

    def write(folder):
        with open(os.path.join(folder, "model.onnx"), "wb") as file:
            file.write(graph.SerializeToString())
        with open(os.path.join(folder, "vocabulary.txt"), "w") as file:
            file.write("".join(f"{token}\n" for token in vocabulary))
        with open(os.path.join(folder, "preprocessing.json"), "w") as file:
            json.dump(preprocessing_rules(model), file, indent=2)

    return write_folder_atomically(out, write)


def preprocessing_rules(model):
    """The text-to-ids rules of `model`, as a JSON-ready dict."""
    preprocessor = model.preprocessor
    rules = {
        "input": "token_ids: int64 [batch, time], right-padded with 0, "
        "time >= 1",
        "standardize": [
            "lower-case (Unicode)",
            *(
                f"replace RE2 /{pattern}/ with {replacement!r}"
                for pattern, replacement in REPLACEMENTS
            ),
            "strip spaces at both ends",
        ],
        "replacements": [list(pair) for pair in REPLACEMENTS],
        "split": "on single spaces (after standardising)",
        "vocabulary": "vocabulary.txt (line i is token id i)",
        "padding_id": 0,
        "out_of_vocabulary_id": 1,
        "max_length": preprocessor.max_length,
        "class_names": model.class_names,
        "outputs": {
            "probabilities": "[batch, classes], in class_names order",
            "attention": "[batch, time]: the weight of each token id "
            "(word weights for a hierarchical model; the mean over heads "
            "for a model with several); 0 at padding and beyond the caps",
        },
    }
    if preprocessor.hierarchical:
        rules["sentences"] = {
            "boundary_ids": preprocessor.sentence_boundary_ids,
            "max_sentences": preprocessor.max_sentences,
            "max_words": preprocessor.max_words,
            "rule": "a sentence ends after a boundary id; the graph splits "
            "the ids itself and drops sentences and words beyond the caps",
        }
    return rules
