"""llama.cpp engine: hardware detection, offload plan, model load, streamed generation.

The only package allowed to import ``llama_cpp`` (and only through ``llama_backend``).
"""

from app.engine.engine import ContextOverflowError, Engine, Generation, LoadedModel
from app.engine.stats import GenerationStats

__all__ = ["ContextOverflowError", "Engine", "Generation", "GenerationStats", "LoadedModel"]
