"""Encrypted matter vaults: key slots, SQLCipher store, documents, chunks.

The public surface is re-exported here; see docs/vault-format.md for the on-disk format.
"""

from app.vault.documents import Chunk, Document, DocumentInfo, Page, WriteTxn
from app.vault.errors import (
    DocumentNotFoundError,
    MistypedRecoveryKeyError,
    NoUsableSlotError,
    SlotError,
    VaultError,
    VaultExistsError,
    VaultIntegrityError,
    VaultLockedError,
    VaultNotFoundError,
    WeakKdfParametersError,
    WrongPassphraseError,
    WrongRecoveryKeyError,
    WrongSecretError,
)
from app.vault.info import SlotInfo, VaultInfo
from app.vault.manage import (
    DEFAULT_AUTO_LOCK_MINUTES,
    create_vault,
    delete_vault,
    find_vault,
    list_vaults,
    open_info,
    unlock,
)
from app.vault.search import SearchHit, SearchSyntaxError
from app.vault.task_outputs import TaskOutput
from app.vault.vault import Vault

__all__ = [
    "DEFAULT_AUTO_LOCK_MINUTES",
    "Chunk",
    "Document",
    "DocumentInfo",
    "DocumentNotFoundError",
    "MistypedRecoveryKeyError",
    "NoUsableSlotError",
    "Page",
    "SearchHit",
    "SearchSyntaxError",
    "SlotError",
    "SlotInfo",
    "TaskOutput",
    "Vault",
    "VaultError",
    "VaultExistsError",
    "VaultInfo",
    "VaultIntegrityError",
    "VaultLockedError",
    "VaultNotFoundError",
    "WeakKdfParametersError",
    "WriteTxn",
    "WrongPassphraseError",
    "WrongRecoveryKeyError",
    "WrongSecretError",
    "create_vault",
    "delete_vault",
    "find_vault",
    "list_vaults",
    "open_info",
    "unlock",
]
