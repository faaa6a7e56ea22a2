"""The Debian package, built and installed for real: installer/linux/build.sh then install_test.sh.

build.sh makes the .deb from the release llama.cpp wheel and a PyInstaller one-folder build,
both cached in ~/.cache/chambers-package (a source change costs a PyInstaller run, ~1-2.5
min; a cold cache, the llama.cpp build, much longer). install_test.sh installs the .deb in
a clean Debian 12 root that has no Python, without network (unshare -n), under strace, and
runs doctor, a verify of two tampered bundles, bundle verify and import, and a generation
with the small Gemma model there, then installs the bundle's OCR packages with dpkg and
imports and searches a scanned PDF. Both write their results as files; this module parses
them. Everything goes to temporary folders: the developer's dist/ is left alone.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import app

REPO = Path(__file__).resolve().parents[2]
GEMMA = "gemma-3-270m-q4_k_m"
pytestmark = pytest.mark.package


@dataclass(frozen=True)
class PackageRun:
    info: dict[str, Any]  # dist/build-info.json
    out: Path  # install_test.sh's results
    dist: Path
    build_log: str

    def json(self, name: str) -> Any:
        return json.loads((self.out / name).read_text())


def _run(script: str, env: dict[str, str], timeout: int) -> str:
    """Run an installer script; on a timeout its whole process group goes (pyinstaller, gzip)."""
    with subprocess.Popen(
        ["bash", f"installer/linux/{script}"],
        cwd=REPO,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    ) as proc:
        try:
            log, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            log, _ = proc.communicate()
            pytest.fail(f"{script} took over {timeout} s:\n{log[-6000:]}")
    if proc.returncode != 0:
        pytest.fail(f"{script} failed ({proc.returncode}):\n{log[-6000:]}")
    return log


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PackageRun]:
    assert os.geteuid() == 0, (
        "the package test installs into a chroot under unshare: run `make test` as root"
    )
    base = tmp_path_factory.mktemp("package")
    dist, build, out = base / "dist", base / "build", base / "install-test"
    env = {
        "CHAMBERS_DIST": str(dist),
        "CHAMBERS_BUILD": str(build),
        "CHAMBERS_TEST_OUT": str(out),
        "CHAMBERS_REPRO_CHECK": "1",
    }
    # Cold (no llama.cpp wheel, no build environment, no Debian root) this is ~25 min quiet:
    # the clean root's download (install_test.sh, root only) runs beside the llama.cpp build.
    with (base / "rootfs.log").open("w") as rootfs_log:
        rootfs = subprocess.Popen(
            ["bash", "installer/linux/install_test.sh"],
            cwd=REPO,
            env={**os.environ, **env, "CHAMBERS_ROOTFS_ONLY": "1"},
            stdout=rootfs_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            build_log = _run("build.sh", env, timeout=5400)  # cold and under heavy load
            rootfs.wait(timeout=1800)
        finally:
            if rootfs.poll() is None:
                os.killpg(rootfs.pid, signal.SIGTERM)
                rootfs.wait()
    (base / "build.log").write_text(build_log)
    if rootfs.returncode != 0:
        pytest.fail(f"the clean Debian root failed:\n{(base / 'rootfs.log').read_text()[-6000:]}")
    install_log = _run("install_test.sh", env, timeout=1800)
    (base / "install.log").write_text(install_log)
    info = json.loads((dist / "build-info.json").read_text())
    yield PackageRun(info, out, dist, build_log)
    # ~1 GB of staging folders, package and bundle: pytest keeps the last three runs.
    shutil.rmtree(build, ignore_errors=True)
    shutil.rmtree(dist / "bundle", ignore_errors=True)
    Path(info["deb"]).unlink(missing_ok=True)


def test_build_is_reproducible_and_warns_about_the_test_root(package: PackageRun) -> None:
    info = package.info
    assert info["version"] == app.__version__
    assert re.fullmatch(r"[0-9a-f]{64}", info["deb_sha256"])
    # Two stagings and dpkg-deb runs from one PyInstaller folder: the same bytes.
    assert info["repro_deb_sha256"] == info["deb_sha256"]
    assert info["test_root"] is True
    assert "WARNING: this package ships the THROW-AWAY TEST trust root" in package.build_log
    assert (package.dist / "SHA256SUMS").read_text().split()[0] == info["deb_sha256"]


def test_installed_program_references_no_build_python(package: PackageRun) -> None:
    """No file of /opt/chambers names the build venv, the developer's venv or a system Python.

    (The clean root has no Python at all and the trace below shows none started.)"""
    info = package.info
    needles = [s.encode() for s in (info["build_venv"], info["dev_venv"], "/usr/bin/python3")]
    opt = Path(info["stage"]) / "opt" / "chambers"
    files = [p for p in opt.rglob("*") if p.is_file() and not p.is_symlink()]
    assert len(files) > 100 and (opt / "chambers").is_file()
    found = [
        (str(p.relative_to(opt)), n.decode()) for p in files for n in needles if n in p.read_bytes()
    ]
    assert found == []


def test_shipped_llama_cpp_uses_avx2_and_no_avx512(package: PackageRun) -> None:
    """The .deb's llama.cpp is vectorised for any x86-64-v3 CPU: ymm (AVX2) code, no zmm.

    ggml turns its AVX defaults off when SOURCE_DATE_EPOCH is set, which build.sh sets: an
    SSE-only build ran every user's model several times slower (installer/llama-cmake-args).
    """
    opt = Path(package.info["stage"]) / "opt" / "chambers"
    libraries = sorted(opt.rglob("libggml-cpu.so*"))
    assert libraries, "libggml-cpu.so is not in the package"
    code = subprocess.run(
        ["objdump", "-d", "--no-show-raw-insn", str(libraries[0])],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert code.count("%ymm") > 1000
    assert "%zmm" not in code


def test_doctor_runs_in_the_clean_root(package: PackageRun) -> None:
    before, after = package.json("doctor-before.json"), package.json("doctor.json")
    assert before["app_version"] == app.__version__
    assert before["python"].startswith("3.11.")  # the bundled Python; the root has none
    assert before["models_dir"] == "/var/lib/chambers/models"  # the package's machine policy
    assert before["data_dir"].startswith("/home/lawyer/")
    assert before["trust_root"] == {
        "path": "/usr/share/chambers/trust/root.json",
        "installed": True,
        "test_root": True,
    }
    assert before["hardware"]["cpu_usable"] >= 1
    assert not any(m["installed"] for m in before["models"])
    gemma = next(m for m in after["models"] if m["id"] == GEMMA)
    assert gemma["installed"] and gemma["plan"]["n_layers"] == gemma["layers"] + 1
    stat = (package.out / "stat.txt").read_text().split("\n")
    assert stat[:3] == [
        "root 755 /etc/chambers",
        "root 755 /var/lib/chambers/trust",
        "root 644 /usr/share/chambers/trust/root.json",
    ]


def test_tampered_bundles_are_refused_naming_the_file(package: PackageRun) -> None:
    meta = (package.out / "tampered-meta.txt").read_text()
    target = (package.out / "tampered-target.txt").read_text()
    assert meta.rstrip().endswith("exit=4") and target.rstrip().endswith("exit=4")
    assert "tampered-meta/metadata/targets.json: " in meta
    assert re.search(r"tampered-target/targets/catalog\.json does not match its signed", target)


def test_bundle_verifies_imports_and_the_model_generates(package: PackageRun) -> None:
    release = package.info["source_date_epoch"]
    verify = package.json("verify.json")
    assert verify["ok"] and verify["timestamp_version"] == release
    paths = {t["path"] for t in verify["targets"]}
    assert paths == {
        "catalog.json",
        f"models/{GEMMA}.gguf",
        f"packages/{Path(package.info['deb']).name}",
        *(f"packages/ocr/{name}" for name in package.info["ocr_debs"]),
    }
    imported = package.json("import.json")
    assert imported["timestamp_version"] == release
    assert imported["models"] == [
        {"id": GEMMA, "path": f"/var/lib/chambers/models/{GEMMA}.gguf", "status": "installed"}
    ]
    text = (package.out / "generation.txt").read_text()
    assert len(re.findall(r"\w", text)) >= 2, text
    stats_line = (package.out / "generation-stderr.txt").read_text().strip().splitlines()[-1]
    stats = json.loads(stats_line)
    assert 1 <= stats["generated_tokens"] <= 12 and stats["prompt_tokens"] > 5


def test_bundle_ocr_packages_install_offline_and_scans_become_searchable(
    package: PackageRun,
) -> None:
    """Tesseract from the signed bundle, installed by dpkg alone, OCRs a real scan there."""
    names = package.info["ocr_debs"]
    assert any(n.startswith("tesseract-ocr_") for n in names)
    assert any(n.startswith("tesseract-ocr-eng_") for n in names)
    assert not any(n.startswith(("libc6_", "python3")) for n in names)  # the root has those / none
    control = (Path(package.info["stage"]) / "DEBIAN" / "control").read_text()
    assert "\nRecommends: tesseract-ocr, tesseract-ocr-eng\n" in control
    assert "tesseract" not in control.split("\nDepends:", 1)[1].split("\n", 1)[0]
    installed = (package.out / "ocr-packages.txt").read_text().splitlines()
    assert len(installed) == 2 and all(line.endswith(" install ok installed") for line in installed)
    summary = package.json("ocr-import.json")
    assert summary["refused"] == [] and summary["stopped"] is None
    (doc,) = summary["imported"]
    assert doc["pages"] == 2 and "ocr" in doc["flags"] and "needs_ocr" in doc["flags"]
    # Phrases a person reads on pages 1 and 2 of the scan (tests/integration/test_ocr_import.py).
    first, second = package.json("ocr-search.json"), package.json("ocr-search-2.json")
    assert first and first[0]["document_id"] == doc["document_id"] and first[0]["page"] == 1
    assert second and second[0]["document_id"] == doc["document_id"] and second[0]["page"] == 2
    trace = (package.out / "syscalls.log").read_text()
    runs = [line for line in trace.splitlines() if ' execve("/usr/bin/tesseract",' in line]
    assert runs and not any(" = -1 " in line for line in runs)  # the bundle's binary ran


def test_only_unix_sockets_and_no_python_in_the_trace(package: PackageRun) -> None:
    """Every socket() in the clean root is AF_UNIX, except the audit netlink of useradd/runuser."""
    lines = (package.out / "syscalls.log").read_text().splitlines()
    last_exec: dict[str, str] = {}
    chambers_runs, foreign = 0, []
    for line in lines:
        pid, call = line.split(None, 1)
        if call.startswith("execve("):
            path = call.split('"')[1]
            assert not Path(path).name.startswith("python"), line  # no interpreter, tried or run
            if call.rstrip().endswith("= 0") or "<unfinished" in call:
                last_exec[pid] = path
                chambers_runs += path == "/usr/bin/chambers"  # (it re-executes /opt/chambers/...)
        elif call.startswith("socket(") and not call.startswith("socket(AF_UNIX"):
            tool = last_exec.get(pid, "")
            if not (tool in ("/usr/sbin/useradd", "/usr/sbin/runuser") and "NETLINK_AUDIT" in call):
                foreign.append(f"{tool}: {call}")
    # doctor x2, tampered x2, verify x2, import, models, generate; vault, import, search x2
    assert chambers_runs >= 13
    assert foreign == []
