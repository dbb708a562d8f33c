"""Optional dependencies: names that need TensorFlow, imported on first use.

The layers and the flat and hierarchical classifiers need Keras only, so
`import attention_tf` works on the JAX and PyTorch backends with no
TensorFlow installed. String preprocessing, tf.data pipelines and SavedModel
export are TensorFlow by nature: their names are resolved by a module
`__getattr__`, and without TensorFlow they fail with one line that names
the extra to install. `import_optional` does the same for any optional
dependency (ONNX export names the `onnx` extra).
"""

import importlib
import importlib.util


def tensorflow_installed():
    """Whether `import tensorflow` can succeed, without importing it."""
    try:
        return importlib.util.find_spec("tensorflow") is not None
    except ImportError:
        # An import hook may refuse the name outright.
        return False


class MissingDependencyError(ImportError):
    """An optional dependency is not installed; the message names the extra.

    The `attention-tf` command prints it as one line and exits with 2.
    """

    def __init__(self, needed_by, dependency, extra=None):
        super().__init__(
            f"{needed_by} needs {dependency}, which is not installed: "
            f'pip install "attention_tf[{extra or dependency}]"'
        )
        self.dependency = dependency


def import_optional(name, needed_by, dependency="tensorflow", extra=None):
    """Imports `name`; without `dependency`, a `MissingDependencyError`.

    Args:
        name: Dotted module name.
        needed_by: What the caller asked for, named in the message.
        dependency: The top-level package that may be missing.
        extra: The `attention_tf` extra that installs it; defaults to
            `dependency`.
    """
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if (error.name or "").split(".")[0] != dependency:
            raise
        raise MissingDependencyError(needed_by, dependency, extra) from None


def lazy_names(package, modules):
    """Sets up `package`'s TensorFlow-only names.

    1. On the TensorFlow backend (TensorFlow is then already imported),
       the names are imported now, so their Keras classes are registered
       as soon as the package is: saved models load with no extra import.
    2. Otherwise they are imported on first attribute access.

    Args:
        package: The package's `__name__`.
        modules: Dict from public name to the module that defines it.

    Returns:
        `(getattr_function, names)`: assign the first to the package's
        `__getattr__`; `names` are the names to add to `__all__` (all of
        them when TensorFlow is installed, none otherwise, so that
        `from package import *` never fails).
    """

    def __getattr__(name):
        if name not in modules:
            raise AttributeError(
                f"module {package!r} has no attribute {name!r}"
            )
        module = import_optional(modules[name], f"{package}.{name}")
        return getattr(module, name)

    # Keras imported here, not at the top: the command's quiet start imports
    # this module before TensorFlow loads (Keras would load it, unquieted).
    import keras

    if not tensorflow_installed():
        return __getattr__, []
    if keras.backend.backend() == "tensorflow":
        for name in modules:
            importlib.import_module(modules[name])
    return __getattr__, sorted(modules)
