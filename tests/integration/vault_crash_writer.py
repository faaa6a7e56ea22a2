"""Crash-test helper (run as a script): commit one document per transaction, forever.

After each commit it prints ``<document id> <sha256>`` and flushes, so the parent knows
exactly which documents were committed when it SIGKILLs us.
usage: vault_crash_writer.py VAULT_FOLDER RECOVERY_KEY_FILE SEED
"""

from __future__ import annotations

import hashlib
import random
import sys
from pathlib import Path

from app.vault import open_info, unlock


def main() -> None:
    folder, key_file, seed = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(seed)
    vault = unlock(open_info(folder), recovery_key=key_file.read_text())
    print("ready", flush=True)
    while True:
        content = rng.randbytes(rng.randrange(200, 9_000))
        doc = vault.add_document(content, title="crash test", mime_type="application/octet-stream")
        print(doc.id, hashlib.sha256(content).hexdigest(), flush=True)


if __name__ == "__main__":
    main()
