"""One small training run under a `Runtime`, in a process of its own.

`python -m tests.training.distributed_run OUT.npz --strategy mirrored
--logical-cpus 2` trains an embedding + `AttentionPooling` classifier on
fixed data and writes the per-batch losses and final weights to OUT.npz.
A process of its own because the device layout and `TF_CONFIG` are fixed
once TensorFlow starts.
"""

import argparse

import numpy as np

NUM_EXAMPLES = 128
GLOBAL_BATCH = 16
EPOCHS = 2
VOCABULARY = 30
TIME = 12


def make_data(seed=0):
    """Right-padded token ids; class 1 when token 7 occurs."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(2, TIME + 1, NUM_EXAMPLES)
    ids = rng.integers(1, VOCABULARY, (NUM_EXAMPLES, TIME))
    ids[np.arange(TIME)[None, :] >= lengths[:, None]] = 0
    labels = (ids == 7).any(axis=1).astype("int32")
    return ids.astype("int32"), labels


def build_model(attention_units=8):
    import keras

    from attention_tf.layers import AttentionPooling

    token_ids = keras.Input((None,), dtype="int32")
    embedded = keras.layers.Embedding(VOCABULARY, 16, mask_zero=True)(token_ids)
    pooled = AttentionPooling(attention_units)(embedded)
    probabilities = keras.layers.Dense(
        2, activation="softmax", dtype="float32"
    )(pooled)
    model = keras.Model(token_ids, probabilities)
    # Weights from NumPy, not from the initialisers: every strategy and
    # process starts from exactly the same point.
    rng = np.random.default_rng(42)
    model.set_weights(
        [rng.normal(0, 0.3, w.shape).astype("float32") for w in model.weights]
    )
    return model


def train(strategy, mixed_precision="none", devices=None):
    """Returns `(batch_losses, weights)` of one run."""
    import keras
    import tensorflow as tf

    from attention_tf.training.runtime import Runtime

    with Runtime(strategy, mixed_precision, devices) as runtime:
        ids, labels = make_data()
        dataset = tf.data.Dataset.from_tensor_slices((ids, labels)).batch(
            GLOBAL_BATCH
        )
        options = tf.data.Options()
        # Every worker reads the same batches and keeps its share of each.
        options.experimental_distribute.auto_shard_policy = (
            tf.data.experimental.AutoShardPolicy.DATA
        )
        dataset = dataset.with_options(options)
        losses = []
        record = keras.callbacks.LambdaCallback(
            on_train_batch_end=lambda batch, logs: losses.append(logs["loss"])
        )
        with runtime.scope():
            model = build_model()
            model.compile(
                optimizer=keras.optimizers.Adam(0.01),
                loss="sparse_categorical_crossentropy",
            )
            runtime.prepare(model)
            model.fit(
                dataset,
                epochs=EPOCHS,
                callbacks=[record],
                shuffle=False,
                verbose=0,
            )
        print(runtime.describe(), flush=True)
        return np.array(losses, "float64"), [
            np.asarray(w) for w in model.get_weights()
        ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--strategy", default="none")
    parser.add_argument("--logical-cpus", type=int, default=1)
    args = parser.parse_args()

    import tensorflow as tf

    devices = None
    if args.logical_cpus > 1:
        (cpu,) = tf.config.list_physical_devices("CPU")
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * args.logical_cpus
        )
        devices = [f"/cpu:{i}" for i in range(args.logical_cpus)]
    results = {}
    # MultiWorkerMirroredStrategy must come before anything else runs, so
    # a worker runs nothing else; the reference run is another process's.
    if args.strategy == "multiworker":
        strategies = ["multiworker"]
    else:
        strategies = ["none", args.strategy]
    for strategy in strategies:
        losses, weights = train(strategy, devices=devices)
        results[f"{strategy}_losses"] = losses
        for i, weight in enumerate(weights):
            results[f"{strategy}_weight{i}"] = weight
    np.savez(args.out, **results)


if __name__ == "__main__":
    main()
