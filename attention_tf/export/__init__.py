"""A trained classifier for serving elsewhere: SavedModel and ONNX.

- `export_classifier(model, out)`: a TensorFlow SavedModel (raw strings in).
- `export_onnx(model, out)`: an ONNX graph (token ids in) with its
  vocabulary and preprocessing rules (the `onnx` extra).

Both write their folder whole or not at all. Needs TensorFlow.
"""

from attention_tf.export.onnx_folder import export_onnx
from attention_tf.export.saved_model import export_classifier

__all__ = ["export_classifier", "export_onnx"]
