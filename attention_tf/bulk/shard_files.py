"""Prediction parts as JSON Lines or Parquet, each written atomically."""

import json

from attention_tf.utils.atomic_files import write_atomically
from attention_tf.utils.optional import import_optional

SHARD_FORMATS = ("jsonl", "parquet")


def write_shard(path, predictions, format="jsonl", schema=None):
    """Writes prediction dicts to `path`, whole or not at all.

    Args:
        path: The part's file.
        predictions: Dicts with `id`, `label`, `probabilities` and maybe
            `top` (see `BatchClassifier`).
        format: `"jsonl"`: one JSON object a line. `"parquet"`: one row per
            prediction (needs `pyarrow`).
        schema: For Parquet, the table's schema (`parquet_schema`), so that
            every part has the same one, an empty part included.
    """
    if format == "jsonl":
        write = _write_json_lines
    else:
        write = _write_parquet
    write_atomically(
        path,
        lambda temporary: write(temporary, predictions, schema),
        suffix=f".{format}",
    )


def parquet_schema(class_names, string_ids, top):
    """The Parquet schema of prediction parts.

    Args:
        class_names: The model's classes: `probabilities` is a struct with
            one float field per class.
        string_ids: Whether ids are strings (an id column's values, written
            as text whatever their type) rather than record numbers.
        top: Whether predictions hold `top`: a list of `{word, weight}`.
    """
    arrow = _arrow()
    fields = [
        ("id", arrow.string() if string_ids else arrow.int64()),
        ("label", arrow.string()),
        (
            "probabilities",
            arrow.struct([(name, arrow.float64()) for name in class_names]),
        ),
    ]
    if top:
        word = arrow.struct(
            [("word", arrow.string()), ("weight", arrow.float64())]
        )
        fields.append(("top", arrow.list_(word)))
    return arrow.schema(fields)


def _write_json_lines(path, predictions, schema):
    with open(path, "w", encoding="utf-8") as file:
        for prediction in predictions:
            file.write(json.dumps(prediction, ensure_ascii=False) + "\n")


def _write_parquet(path, predictions, schema):
    import pyarrow.parquet

    if schema.field("id").type == _arrow().string():
        predictions = [dict(p, id=str(p["id"])) for p in predictions]
    table = _arrow().Table.from_pylist(list(predictions), schema=schema)
    pyarrow.parquet.write_table(table, path)


def _arrow():
    return import_optional("pyarrow", "Parquet", "pyarrow", "parquet")
