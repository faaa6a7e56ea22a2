"""The engine seam: the llama.cpp engine, the firm-server backend, and what tasks see.

Tasks see ``EngineLike`` (app/engine/protocol.py): a model identity, capabilities and the
calls. The only package allowed to import ``llama_cpp`` (and only through
``llama_backend``, the local runtime ``Engine`` drives). The second backend, the firm's
own inference server, is ``app.engine.remote``; ``app.engine.backend.open_backend`` is the
one place that chooses between them, from the machine policy and the settings.
"""

from app.engine.engine import ContextOverflowError, Engine, LoadedModel
from app.engine.generation import Generation
from app.engine.identity import Capabilities, ModelIdentity
from app.engine.stats import GenerationStats

__all__ = [
    "Capabilities",
    "ContextOverflowError",
    "Engine",
    "Generation",
    "GenerationStats",
    "LoadedModel",
    "ModelIdentity",
]
