"""Training recipes, one folder per task, over shared parts (internal).

- `document_classifier/`, `translator/`: each task's `config`, `data`,
  `trainer` (and what else it needs), the same file names for the same
  roles.
- Shared: `callbacks`, `run_state` (resumable runs), `runtime` (devices,
  strategies, precision), `word_vectors`, `time_budget`, `adversarial`
  ((virtual) adversarial training on word vectors).

Users run these through `attention-tf train-*`; the modules may change
between versions.
"""
