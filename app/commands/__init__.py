"""CLI verbs, one module per feature; each exposes ``register(subparsers)``."""
