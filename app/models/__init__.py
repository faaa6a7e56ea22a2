"""Approved-model catalog, model files on disk, and GGUF checks (no llama.cpp here)."""
