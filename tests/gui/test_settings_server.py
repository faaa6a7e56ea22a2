"""The settings dialog's firm-server rows: shown from the machine policy, parallel bounded by it.

The policy is a real machine policy document read through the real sources (an extra
machine folder, as the firm-server integration tests do); no server is contacted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import Settings, load_settings, save_settings
from app.engine.backend import allowed_parallel
from app.gui.settings_dialog import PARALLEL_CAP, SettingsDialog
from app.policy import PolicyError
from tests.fixtures.firm_server import write_policy

URL = "https://llm.firm.example:8443"
PIN = "sha256:" + "ab" * 32


def test_the_policy_server_is_shown_and_parallel_kept_within_its_limit(qtbot, etc: Path) -> None:  # type: ignore[no-untyped-def]
    entry = {"base_url": URL, "fingerprint": PIN, "models": ["m-1"], "max_parallel": 4}
    write_policy(etc, [entry])
    save_settings(Settings(inference_server=URL, server_parallel=8, threads=2))
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    text = dialog.server.text()
    assert URL in text and "certificate pinned" in text and "m-1" in text
    assert "every matter" in text
    assert dialog.parallel.isEnabled() and dialog.parallel.maximum() == 4
    assert dialog.parallel.value() == 4  # the saved 8 is more than the policy allows
    dialog.parallel.setValue(3)
    dialog.accept()
    saved = load_settings()
    assert (saved.inference_server, saved.server_parallel, saved.threads) == (URL, 3, 2)
    assert allowed_parallel(entry, 8) == 4 and allowed_parallel(entry, 2) == 2
    assert allowed_parallel({"base_url": URL}, 8) == 8


def test_without_a_server_in_the_policy_nothing_can_be_set(qtbot, etc: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    assert "runs on this computer" in dialog.server.text()
    assert not dialog.parallel.isEnabled() and dialog.parallel.maximum() == PARALLEL_CAP

    write_policy(etc, [{"base_url": URL, "ca_cert": "/etc/chambers/ca.pem"}])
    chosen = SettingsDialog()
    qtbot.addWidget(chosen)
    assert "Not chosen" in chosen.server.text() and URL in chosen.server.text()
    assert not chosen.parallel.isEnabled()

    write_policy(etc, [{"base_url": URL, "fingerprint": PIN, "max_parallel": 0}])
    with pytest.raises(PolicyError, match="max_parallel"):
        load_settings()


def test_it_can_fix_the_parallel_setting(qtbot, etc: Path) -> None:  # type: ignore[no-untyped-def]
    write_policy(
        etc,
        [{"base_url": URL, "ca_cert": "/etc/chambers/ca.pem", "matters": ["M-1", "M-2"]}],
        settings={"inference_server": URL, "server_parallel": 6},
    )
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    assert "certificate checked against /etc/chambers/ca.pem" in dialog.server.text()
    assert "2 listed matter(s)" in dialog.server.text()
    assert dialog.parallel.value() == 6 and not dialog.parallel.isEnabled()
    assert "server_parallel" in dialog.managed_names and "inference_server" in dialog.managed_names


def test_saving_the_dialog_keeps_settings_it_does_not_show(qtbot, etc: Path) -> None:  # type: ignore[no-untyped-def]
    save_settings(Settings(reviewer_name="A. Partner", quiet_unsealed_audit=True,
                           server_timeout_seconds=120))  # fmt: skip
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    dialog.threads.setValue(3)
    dialog.accept()
    saved = load_settings()
    assert saved.threads == 3
    assert saved.reviewer_name == "A. Partner" and saved.quiet_unsealed_audit
    assert saved.server_timeout_seconds == 120
