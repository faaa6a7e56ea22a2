"""The OS keyring, used only to hold random device keys (never a master key or passphrase).

A keyring backend that does not actually protect secrets (the null and fail backends, or
the plaintext file backends from keyrings.alt) is refused: storing a device key there would
be no better than writing it next to the vault.
"""

from __future__ import annotations

import base64

from app.errors import ChambersError

SERVICE = "Chambers"

_REFUSED_MODULE_PREFIXES = ("keyring.backends.null", "keyring.backends.fail", "keyrings.alt")


class KeyringUnavailableError(ChambersError):
    default_hint = (
        "Unlock your desktop keyring (GNOME Keyring, KWallet, macOS Keychain, Windows "
        "Credential Manager), or use a passphrase slot instead (--no-keyring)."
    )


def _backend() -> object:
    import keyring

    backend = keyring.get_keyring()
    leaves = getattr(backend, "backends", None)
    candidates = list(leaves) if leaves else [backend]
    for item in candidates:
        module = type(item).__module__
        if module.startswith(_REFUSED_MODULE_PREFIXES):
            raise KeyringUnavailableError(
                f"The OS keyring backend {type(item).__module__}.{type(item).__name__} does "
                "not protect secrets, so Chambers will not store keys in it."
            )
    if not candidates:
        raise KeyringUnavailableError("No OS keyring is available.")
    return backend


def backend_name() -> str:
    backend = _backend()
    return f"{type(backend).__module__}.{type(backend).__name__}"


def store_secret(name: str, secret: bytes) -> None:
    """Store ``secret`` under ``name``; raises KeyringUnavailableError if that fails."""
    backend = _backend()
    try:
        backend.set_password(SERVICE, name, base64.b64encode(secret).decode("ascii"))  # type: ignore[attr-defined]
    except Exception as exc:  # keyring raises backend-specific errors
        raise KeyringUnavailableError(f"Could not store a key in the OS keyring: {exc}") from exc


def load_secret(name: str) -> bytes | None:
    """The secret stored under ``name``, or None if there is none."""
    backend = _backend()
    try:
        value = backend.get_password(SERVICE, name)  # type: ignore[attr-defined]
    except Exception as exc:
        raise KeyringUnavailableError(f"Could not read a key from the OS keyring: {exc}") from exc
    return None if value is None else base64.b64decode(value)


def delete_secret(name: str) -> None:
    """Remove ``name`` from the keyring; missing entries are not an error."""
    import keyring.errors

    backend = _backend()
    try:
        backend.delete_password(SERVICE, name)  # type: ignore[attr-defined]
    except keyring.errors.PasswordDeleteError:
        return
    except Exception as exc:
        raise KeyringUnavailableError(f"Could not delete a key from the OS keyring: {exc}") from exc
