"""The `attention-tf` subcommands: argument parsing, then one library call.

Each module here adds its subcommands with `register(subparsers)` (listed in
`attention_tf.cli`), parses the command line into the task's configuration
and calls the task; the work itself lives in `attention_tf.training`.
"""
