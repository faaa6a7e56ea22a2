"""The one module that touches llama-cpp-python.

Everything llama.cpp-specific (the Llama class, grammars, the ggml device registry read
through ctypes, log silencing) is reached through these few functions, so the rest of the
app sees plain Python values and a version bump of the bindings is a change to one file.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import llama_cpp
import numpy as np
import numpy.typing as npt
from llama_cpp import llama_grammar
from llama_cpp.llama_grammar import LlamaGrammar

from app.engine import gbnf

_DEVICE_TYPES = {0: "CPU", 1: "GPU", 2: "IGPU", 3: "ACCEL", 4: "META"}
_quiet = False


@dataclass(frozen=True)
class RawDevice:
    name: str
    description: str
    kind: str
    backend: str
    memory_free: int
    memory_total: int


def _silence_logs() -> None:
    """Route llama.cpp's stderr chatter nowhere: it can include prompt fragments."""
    global _quiet
    if _quiet:
        return

    @llama_cpp.llama_log_callback  # type: ignore[untyped-decorator]
    def _drop(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
        return None

    llama_cpp.llama_log_set(_drop, ctypes.c_void_p(0))
    _silence_logs.callback = _drop  # type: ignore[attr-defined]  # keep a reference alive
    _quiet = True


def system_info() -> str:
    _silence_logs()
    return bytes(llama_cpp.llama_print_system_info()).decode("utf-8", "replace").strip()


def supports_gpu_offload() -> bool:
    return bool(llama_cpp.llama_supports_gpu_offload())


def bindings_version() -> str:
    return str(getattr(llama_cpp, "__version__", "unknown"))


def _ggml_library() -> ctypes.CDLL | None:
    """The ggml shared library that llama-cpp-python bundles, if it can be found."""
    lib_dir = Path(llama_cpp.__file__).parent / "lib"
    override = os.environ.get("LLAMA_CPP_LIB_PATH")
    candidates = [Path(override)] if override else []
    candidates.append(lib_dir)
    for folder in candidates:
        for name in ("libggml.so", "libggml.dylib", "ggml.dll"):
            path = folder / name
            if path.exists():
                with contextlib.suppress(OSError):
                    return ctypes.CDLL(str(path))
    return None


def devices() -> list[RawDevice]:
    """Every ggml compute device (CPU, GPUs) with its free and total memory."""
    _silence_logs()
    llama_cpp.llama_backend_init()
    lib = _ggml_library()
    if lib is None:
        return []
    try:
        lib.ggml_backend_dev_count.restype = ctypes.c_size_t
        lib.ggml_backend_dev_get.restype = ctypes.c_void_p
        lib.ggml_backend_dev_get.argtypes = [ctypes.c_size_t]
        for fn in ("ggml_backend_dev_name", "ggml_backend_dev_description"):
            getattr(lib, fn).restype = ctypes.c_char_p
            getattr(lib, fn).argtypes = [ctypes.c_void_p]
        lib.ggml_backend_dev_type.restype = ctypes.c_int
        lib.ggml_backend_dev_type.argtypes = [ctypes.c_void_p]
        lib.ggml_backend_dev_memory.argtypes = [
            ctypes.c_void_p,
            ctypes.POINTER(ctypes.c_size_t),
            ctypes.POINTER(ctypes.c_size_t),
        ]
        lib.ggml_backend_dev_backend_reg.restype = ctypes.c_void_p
        lib.ggml_backend_dev_backend_reg.argtypes = [ctypes.c_void_p]
        lib.ggml_backend_reg_name.restype = ctypes.c_char_p
        lib.ggml_backend_reg_name.argtypes = [ctypes.c_void_p]
    except AttributeError:
        return []
    found = []
    for index in range(lib.ggml_backend_dev_count()):
        dev = lib.ggml_backend_dev_get(index)
        free, total = ctypes.c_size_t(0), ctypes.c_size_t(0)
        lib.ggml_backend_dev_memory(dev, ctypes.byref(free), ctypes.byref(total))
        reg = lib.ggml_backend_dev_backend_reg(dev)
        found.append(
            RawDevice(
                name=(lib.ggml_backend_dev_name(dev) or b"").decode(),
                description=(lib.ggml_backend_dev_description(dev) or b"").decode(),
                kind=_DEVICE_TYPES.get(lib.ggml_backend_dev_type(dev), "OTHER"),
                backend=(lib.ggml_backend_reg_name(reg) or b"").decode() if reg else "",
                memory_free=free.value,
                memory_total=total.value,
            )
        )
    return found


_KV_TYPES = {"f16": 1, "q8_0": 8, "q4_0": 2}


def open_model(
    path: Path,
    *,
    n_gpu_layers: int,
    n_ctx: int,
    n_threads: int,
    n_batch: int,
    type_k: str,
    type_v: str,
    flash_attn: bool,
    seed: int = 0,
) -> llama_cpp.Llama:
    """Load a GGUF file that has already been checked by app.models.store.check_model."""
    _silence_logs()
    return llama_cpp.Llama(
        model_path=str(path),
        n_gpu_layers=n_gpu_layers,
        n_ctx=n_ctx,
        n_threads=n_threads,
        n_threads_batch=n_threads,
        n_batch=n_batch,
        n_ubatch=n_batch,
        type_k=_KV_TYPES[type_k],
        type_v=_KV_TYPES[type_v],
        flash_attn=flash_attn,
        seed=seed,
        verbose=False,
    )


# -- grammars ---------------------------------------------------------------------------
# JSON string characters: the bindings' rule admits raw control characters, which are not
# JSON (json.loads refuses a raw newline inside a string).
_JSON_CHAR = llama_grammar.BuiltinRule(
    r'[^"\\\x00-\x1F] | "\\" (["\\/bfnrt] | "u" [0-9a-fA-F]{4})', []
)


class _EscapingConverter(llama_grammar.SchemaConverter):
    """The bindings' JSON-Schema converter with every literal written by app.engine.gbnf.

    Upstream escapes ``"`` but not ``\\`` in GBNF literals, so an enum, const or
    property name whose JSON text holds a backslash (every quoted term does) makes a
    grammar llama.cpp cannot parse, and the NULL sampler that follows crashes the process.
    """

    def _format_literal(self, literal: str) -> str:
        return gbnf.literal(literal)

    def _generate_constant_rule(self, value: Any) -> str:
        return gbnf.json_literal(value)

    def _add_primitive(self, name: str, rule: Any) -> str:
        return str(super()._add_primitive(name, _JSON_CHAR if name == "char" else rule))


def schema_to_gbnf(schema: dict[str, Any]) -> str:
    """GBNF text for ``schema`` (not yet checked: :func:`grammar_from_gbnf` does that)."""
    try:
        converter: Any = cast(Any, _EscapingConverter)(  # the bindings' class is untyped
            prop_order={}, allow_fetch=False, dotall=False, raw_pattern=False
        )
        resolved = converter.resolve_refs(json.loads(json.dumps(schema)), "schema")
        converter.visit(resolved, "")
        return str(converter.format_grammar())
    except gbnf.GrammarError:
        raise
    except Exception as exc:  # the converter asserts or raises plain errors on what it lacks
        reason = str(exc)[:200]  # the converter may quote the schema: keep it short
        raise gbnf.GrammarError(
            f"The JSON schema cannot be turned into a grammar: {reason}"
        ) from exc


def grammar_from_schema(schema: dict[str, Any]) -> LlamaGrammar:
    """A grammar that only admits JSON matching ``schema``, checked before any use."""
    return grammar_from_gbnf(schema_to_gbnf(schema))


def grammar_from_gbnf(text: str) -> LlamaGrammar:
    """The only way a grammar reaches llama.cpp: parsed by gbnf.check, then by llama.cpp.

    ``LlamaGrammar`` only holds the text; llama.cpp parses it when sampling starts, and on
    a parse error ``llama_sampler_init_grammar`` returns NULL, which the bindings add to
    the sampler chain anyway (a segfault at the first token). Both checks run here, before
    any generation, and raise GrammarError instead.
    """
    return LlamaGrammar.from_string(check_gbnf(text), verbose=False)


def check_gbnf(text: str) -> str:
    """``text`` once both checks pass (also for GBNF sent to a llama.cpp server)."""
    _silence_logs()
    gbnf.check(text)
    _check_natively(text)
    return text


def _check_natively(text: str) -> None:
    """llama.cpp's own parser and init, without a model (the vocabulary is only read for
    ``<token>`` syntax, which Chambers grammars never use); NULL means refused."""
    with _stderr_silenced():  # the parser fprintf()s a failing grammar: document text
        sampler = llama_cpp.llama_sampler_init_grammar(None, text.encode("utf-8"), b"root")
    if not sampler:
        raise gbnf.GrammarError("llama.cpp's grammar parser refused the grammar.")
    llama_cpp.llama_sampler_free(sampler)


_stderr_lock = threading.Lock()


@contextlib.contextmanager
def _stderr_silenced() -> Iterator[None]:
    """Point file descriptor 2 at the null device for the duration (process-wide, brief)."""
    with _stderr_lock:
        try:
            saved = os.dup(2)
        except OSError:  # no stderr to silence
            yield
            return
        try:
            with contextlib.suppress(OSError):
                null = os.open(os.devnull, os.O_WRONLY)
                os.dup2(null, 2)
                os.close(null)
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def tokenize(llm: llama_cpp.Llama, text: str, *, add_bos: bool, special: bool) -> list[int]:
    """``text``'s tokens (``add_bos``: after the model's begin-of-sequence token)."""
    return list(llm.tokenize(text.encode("utf-8"), add_bos=add_bos, special=special))


def cached_tokens(llm: llama_cpp.Llama) -> Sequence[int]:
    """The tokens already evaluated into the KV cache, in order (prefix reuse reads it)."""
    return cast("Sequence[int]", llm.input_ids[: llm.n_tokens])


def complete(
    llm: llama_cpp.Llama,
    tokens: Sequence[int],
    *,
    max_tokens: int,
    temperature: float,
    grammar: LlamaGrammar | None,
    stop: Sequence[str],
    cancelled: Callable[[], bool],
) -> Generator[tuple[str, str | None], None, None]:
    """(text, finish reason or None) of each streamed piece of a completion of ``tokens``.

    The bindings reuse the KV cache for the prefix ``tokens`` shares with the last call
    and stop at the next token once ``cancelled()`` holds; the bindings' stream is closed
    however the caller stops reading (close this generator, or read it to the end).
    """
    stream = llm.create_completion(
        list(tokens),
        max_tokens=max_tokens,
        temperature=temperature,
        repeat_penalty=1.0,
        grammar=grammar,
        stop=list(stop) or None,
        stream=True,
        stopping_criteria=stop_when(cancelled),
    )
    try:
        for chunk in cast("Iterator[dict[str, Any]]", stream):
            choice = chunk["choices"][0]
            yield str(choice["text"] or ""), choice.get("finish_reason")
    finally:
        with contextlib.suppress(Exception):
            cast("Any", stream).close()


def close(llm: llama_cpp.Llama) -> None:
    """Free the model and its context (errors while freeing are of no use to anyone)."""
    with contextlib.suppress(Exception):
        llm.close()


def stop_when(predicate: Callable[[], bool]) -> llama_cpp.StoppingCriteriaList:
    """Stopping criteria that end generation at the next token once ``predicate()`` holds."""
    return llama_cpp.StoppingCriteriaList([lambda _ids, _logits: predicate()])


def eval_suffix(llm: llama_cpp.Llama, tokens: Sequence[int], keep: int) -> None:
    """Evaluate ``tokens`` keeping the first ``keep`` already in the KV cache."""
    llm.n_tokens = keep
    llm.eval(tokens[keep:])


def last_logprobs(llm: llama_cpp.Llama) -> npt.NDArray[np.float32]:
    """Log-softmax of the logits at the last evaluated position.

    With ``logits_all`` off llama.cpp keeps logits only for the last token of the last
    batch, which is exactly the row option scoring needs.
    """
    pointer = llama_cpp.llama_get_logits_ith(llm.ctx, -1)
    logits = np.ctypeslib.as_array(pointer, shape=(llm.n_vocab(),)).astype(np.float64)
    shifted = logits - logits.max()
    result: npt.NDArray[np.float32] = (shifted - np.log(np.exp(shifted).sum())).astype(np.float32)
    return result


Llama = llama_cpp.Llama
__all__ = ["Llama", "LlamaGrammar", "RawDevice", "devices", "open_model", "stop_when"]
