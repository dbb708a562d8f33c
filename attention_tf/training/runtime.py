"""Where and in which precision the training commands run.

Both trainers take `--strategy` and `--mixed-precision` and hand them to
`Runtime`, which only configures engines that TensorFlow and Keras provide:

- the Keras dtype policy (`mixed_float16` / `mixed_bfloat16`): layers
  compute in half precision and keep float32 weights; `compile` wraps the
  optimizer in a `LossScaleOptimizer` under `mixed_float16` by itself;
- on TensorFlow, a `tf.distribute` strategy whose scope the model is built
  and compiled in. `fit` then splits each global batch across the replicas
  and sums the gradients, so the same `--batch-size` trains the same model;
- on JAX, a `keras.distribution.DataParallel` over the local devices.

Typical use:

    with Runtime(args.strategy, args.mixed_precision) as runtime:
        data = ...                      # outside the scope: no variables
        with runtime.scope():
            model = build(); model.compile(...)
        model.fit(data)
        if runtime.is_chief:
            model.save(...)
"""

import contextlib
import os

import keras

from attention_tf.utils.checks import check_choice

STRATEGIES = ("none", "mirrored", "multiworker")
MIXED_PRECISIONS = ("none", "mixed_float16", "mixed_bfloat16")


def add_runtime_arguments(parser):
    """Adds `--strategy` and `--mixed-precision` to an argparse parser."""
    parser.add_argument(
        "--strategy",
        choices=STRATEGIES,
        default="none",
        help="Data-parallel training: 'mirrored' over the local GPUs "
        "(tf.distribute.MirroredStrategy, or keras.distribution.DataParallel "
        "on JAX); 'multiworker' over the machines in $TF_CONFIG "
        "(TensorFlow only). The batch size stays the global batch size.",
    )
    parser.add_argument(
        "--mixed-precision",
        choices=MIXED_PRECISIONS,
        default="none",
        help="Keras dtype policy: compute in float16 or bfloat16, keep "
        "float32 weights and outputs.",
    )


class Runtime:
    """Sets the dtype policy and the data-parallel engine for one training.

    Use it as a context manager: entering sets the global Keras dtype policy
    (and the JAX distribution), leaving restores the previous ones. Enter it
    before TensorFlow runs anything: `MultiWorkerMirroredStrategy` has to
    configure the collective ops before the runtime starts.

    Args:
        strategy: One of `STRATEGIES`.
        mixed_precision: One of `MIXED_PRECISIONS`.
        devices: Devices for `mirrored`, such as `["/cpu:0", "/cpu:1"]`
            (default: every GPU, or the CPU if there is none).

    Attributes:
        num_replicas: Replicas that share each global batch.
        is_chief: Whether this process should write the outputs (always
            true but for the non-chief workers of a multi-worker run).
    """

    def __init__(self, strategy="none", mixed_precision="none", devices=None):
        check_choice("`strategy`", strategy, STRATEGIES)
        check_choice("`mixed_precision`", mixed_precision, MIXED_PRECISIONS)
        self.backend = keras.backend.backend()
        if strategy != "none" and self.backend not in ("tensorflow", "jax"):
            raise ValueError(
                f"`strategy={strategy!r}` needs the TensorFlow or JAX "
                f"backend; the Keras backend is {self.backend!r}. Use "
                "strategy='none', or set KERAS_BACKEND=tensorflow."
            )
        if strategy == "multiworker" and self.backend != "tensorflow":
            raise ValueError(
                "`strategy='multiworker'` uses tf.distribute and needs "
                f"KERAS_BACKEND=tensorflow; the Keras backend is "
                f"{self.backend!r}."
            )
        if strategy == "multiworker" and not os.environ.get("TF_CONFIG"):
            raise ValueError(
                "`strategy='multiworker'` reads the cluster from $TF_CONFIG, "
                "which is not set. Set it on every worker, e.g. "
                '{"cluster": {"worker": ["host1:port", "host2:port"]}, '
                '"task": {"type": "worker", "index": 0}}.'
            )
        self.strategy = strategy
        self.mixed_precision = mixed_precision
        self.devices = devices
        self._tf_strategy = None
        self._distribution = None
        self._previous = None
        self._unpatch = None

    def __enter__(self):
        self._previous = (
            keras.config.dtype_policy(),
            keras.distribution.distribution()
            if self.backend == "jax"
            else None,
        )
        if self.strategy != "none" and self.backend == "tensorflow":
            import tensorflow as tf

            if self.strategy == "mirrored":
                self._tf_strategy = tf.distribute.MirroredStrategy(self.devices)
            else:
                self._tf_strategy = tf.distribute.MultiWorkerMirroredStrategy()
                self._patch_scalar_log_reduction()
        elif self.strategy == "mirrored":
            devices = self.devices or keras.distribution.list_devices()
            self._distribution = keras.distribution.DataParallel(
                devices=devices
            )
            keras.distribution.set_distribution(self._distribution)
        keras.config.set_dtype_policy(
            "float32"
            if self.mixed_precision == "none"
            else self.mixed_precision
        )
        return self

    def __exit__(self, *exc_info):
        policy, distribution = self._previous
        if self._unpatch is not None:
            self._unpatch()
        keras.config.set_dtype_policy(policy)
        if self.backend == "jax":
            keras.distribution.set_distribution(distribution)
        return False

    def _patch_scalar_log_reduction(self):
        # See `prepare`. The logs of `train_step` and `test_step` are metric
        # results, already summed over all replicas by the mirrored metric
        # variables: the same scalar everywhere, so their mean over the
        # replicas (axis=None) is that value.
        from keras.src import tree
        from keras.src.backend.tensorflow import trainer

        original = trainer.reduce_per_replica
        strategy = self._tf_strategy

        def reduce_per_replica(values, reduce_strategy, reduction):
            if reduce_strategy is strategy and reduction in ("auto", "mean"):
                return tree.map_structure(
                    lambda v: strategy.reduce("MEAN", v, axis=None), values
                )
            return original(values, reduce_strategy, reduction)

        def unpatch():
            trainer.reduce_per_replica = original

        trainer.reduce_per_replica = reduce_per_replica
        self._unpatch = unpatch

    def scope(self):
        """The context to build and compile the model in."""
        if self._tf_strategy is not None:
            return self._tf_strategy.scope()
        return contextlib.nullcontext()

    def prepare(self, model):
        """Readies a compiled model for `fit` inside `scope()`; returns it.

        A no-op but for `multiworker` on TensorFlow, where Keras 3.15 `fit`
        trips twice (keras-team/keras#20585): before the first step it
        averages a whole input batch across workers only to learn its shapes
        ("Attempt to convert a value (PerReplica...)"), and after each step
        it averages the scalar logs along an axis 0 they lack. A model that
        does not remember its strategy skips the first (it takes the
        strategy of the scope that `fit` runs in); `__enter__` patches the
        second for the duration of the run.
        """
        if self._tf_strategy is not None and self.strategy == "multiworker":
            model._distribute_strategy = None
        return model

    @property
    def num_replicas(self):
        if self._tf_strategy is not None:
            return self._tf_strategy.num_replicas_in_sync
        if self._distribution is not None:
            return len(self._distribution.device_mesh.devices.flat)
        return 1

    @property
    def is_chief(self):
        if self.strategy != "multiworker":
            return True
        # The convention of the tf.distribute guides: a "chief" task if the
        # cluster has one, else worker 0.
        resolver = self._tf_strategy.cluster_resolver
        return resolver.task_type in (None, "chief") or (
            resolver.task_type == "worker"
            and resolver.task_id == 0
            and "chief" not in resolver.cluster_spec().as_dict()
        )

    def describe(self):
        """One line for the training log."""
        return (
            f"strategy {self.strategy} ({self.num_replicas} replica"
            f"{'s' if self.num_replicas != 1 else ''}), dtype policy "
            f"{keras.config.dtype_policy().name}, backend {self.backend}"
        )
