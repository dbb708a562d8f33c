"""Plumbing every floor may use; imports nothing else of attention_tf.

Atomic file and folder writes, argument checks, optional dependencies and
the command's quiet backend start. Internal: may change between versions.
"""
