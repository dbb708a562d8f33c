"""attention_tf: attention over variable-length sequences for Keras 3.

Needs Keras only: the layers and the classifiers run on the TensorFlow,
JAX and PyTorch backends. `EndToEndClassifier` (string preprocessing in the
model) needs TensorFlow and is imported on first use; without TensorFlow it
fails with one line naming the extra to install.

Importing the package registers every layer and model with Keras, so saved
`.keras` files load with `keras.saving.load_model(path, safe_mode=True)` and
no `custom_objects`.
"""

# First: the `attention-tf` command loads TensorFlow without its native
# start-up logs; for library users this does nothing.
from attention_tf.utils.startup import quiet_backend_start

quiet_backend_start()

from attention_tf.layers import AttentionPooling  # noqa: E402
from attention_tf.models.bahdanau import (  # noqa: E402
    BahdanauDecoderCell,
    BahdanauTranslator,
    Translator,
)
from attention_tf.models.document_classifier import (  # noqa: E402  # noqa: E402
    TENSORFLOW_MODULES,
    BiLSTMAttentionClassifier,
    DocumentClassifier,
    HierarchicalAttentionClassifier,
)
from attention_tf.utils.optional import lazy_names  # noqa: E402

__version__ = "0.1.0"

__getattr__, _tensorflow_names = lazy_names(__name__, TENSORFLOW_MODULES)

__all__ = [
    "AttentionPooling",
    "BahdanauDecoderCell",
    "BahdanauTranslator",
    "BiLSTMAttentionClassifier",
    "DocumentClassifier",
    "HierarchicalAttentionClassifier",
    "Translator",
    "__version__",
    *_tensorflow_names,
]
