"""attention_tf: attention over variable-length sequences for Keras 3.

Importing the package registers every layer and model with Keras, so saved
`.keras` files load with `keras.saving.load_model(path, safe_mode=True)` and
no `custom_objects`.
"""

# First: the `attention-tf` command loads TensorFlow without its native
# start-up logs; for library users this does nothing.
from attention_tf.commands.startup import quiet_backend_start

quiet_backend_start()

from attention_tf.layers import AttentionPooling  # noqa: E402
from attention_tf.models import (  # noqa: E402
    BahdanauDecoderCell,
    BahdanauTranslator,
    BiLSTMAttentionClassifier,
    EndToEndClassifier,
    HierarchicalAttentionClassifier,
)

__version__ = "0.1.0"

__all__ = [
    "AttentionPooling",
    "BahdanauDecoderCell",
    "BahdanauTranslator",
    "BiLSTMAttentionClassifier",
    "EndToEndClassifier",
    "HierarchicalAttentionClassifier",
    "__version__",
]
