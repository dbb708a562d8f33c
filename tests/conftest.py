# Run by `make test-no-tf` in an environment of its own (keras and JAX, no
# TensorFlow); importing it here would fail on its `layers.reference` path.
collect_ignore = ["no_tensorflow_install.py"]
