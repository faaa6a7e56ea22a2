"""llama.cpp engine: hardware detection, offload plan, model load, streamed generation.

The only package allowed to import ``llama_cpp`` (and only through ``llama_backend``).
The second backend, the firm's own inference server, is ``app.engine.remote`` (chosen by
``app.engine.backend`` from the machine policy); it opens no socket unless the machine
policy lists the server, and it is not imported here.
"""

from app.engine.engine import ContextOverflowError, Engine, Generation, LoadedModel
from app.engine.stats import GenerationStats

__all__ = ["ContextOverflowError", "Engine", "Generation", "GenerationStats", "LoadedModel"]
