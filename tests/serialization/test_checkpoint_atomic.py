"""Atomic saving (CHECKPOINT-FORMAT.md 10, items 15-16): a crash mid-save never costs the previous checkpoint."""
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import ember
import ember.serialization._api as api
from ember.serialization import load, save

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def temp_files(directory):
    return [n for n in os.listdir(directory) if n.startswith(".tmp-")]


def _save_and_kill(dest):
    """Start a child saving ~300 MB over ``dest``; SIGKILL it once its temp file holds 4 MB.

    Returns True when the kill landed mid-save (False: the save won the race, which a loaded machine can cause).
    """
    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import numpy as np, ember
        big = ember.from_numpy(np.ones(75_000_000, dtype=np.float32))
        print("ready", flush=True)
        ember.save({{"epoch": 2, "w": big}}, {str(dest)!r})
    """)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and child.poll() is None:
            for name in temp_files(dest.parent):
                try:
                    if os.path.getsize(dest.parent / name) >= 4 << 20:
                        child.send_signal(signal.SIGKILL)
                        child.wait(timeout=30)
                        return child.returncode == -signal.SIGKILL
                except FileNotFoundError:
                    pass
            time.sleep(0.0005)
        return False
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def test_sigkill_mid_save_keeps_the_previous_checkpoint(tmp_path):
    dest = tmp_path / "ck.pth"
    for attempt in range(3):
        save({"epoch": 1, "w": ember.from_numpy(np.arange(10, dtype=np.float32))}, dest)
        before = dest.read_bytes()
        if _save_and_kill(dest):
            break
    else:
        pytest.fail("the child's save finished three times before it could be killed")
    assert dest.read_bytes() == before          # byte-identical previous checkpoint, no partial file
    ck = load(dest)
    assert ck["epoch"] == 1 and ck["w"].tolist() == list(range(10))
    stale = temp_files(tmp_path)                # what a SIGKILL leaves: a recognisable temp file, never the dest
    assert len(stale) == 1 and stale[0].startswith(".tmp-ck.pth-")
    os.unlink(tmp_path / stale[0])


def test_exception_mid_save_leaves_destination_and_no_temp_file(tmp_path, monkeypatch):
    dest = tmp_path / "ck.pth"
    save({"epoch": 1}, dest)
    before = dest.read_bytes()

    def failing_chunks(flat, size=1 << 20):
        yield memoryview(flat[:8])
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(api, "_chunks", failing_chunks)
    with pytest.raises(OSError, match="disk full"):
        save({"epoch": 2, "w": ember.from_numpy(np.ones(1000, np.float32))}, dest)
    assert dest.read_bytes() == before
    assert temp_files(tmp_path) == []


def test_keyboard_interrupt_mid_save_cleans_up(tmp_path, monkeypatch):
    def interrupted(flat, size=1 << 20):
        raise KeyboardInterrupt
        yield  # pragma: no cover

    monkeypatch.setattr(api, "_chunks", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save({"w": ember.from_numpy(np.ones(4, np.float32))}, tmp_path / "new.pth")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_file_mode_follows_the_umask(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        save({"a": 1}, tmp_path / "m.pth")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "m.pth").st_mode) == mode


def test_existing_file_keeps_its_mode(tmp_path):
    dest = tmp_path / "m.pth"
    save({"a": 1}, dest)
    os.chmod(dest, 0o640)
    save({"a": 2}, dest)
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o640 and load(dest) == {"a": 2}


def test_symlink_destination_is_written_through(tmp_path):
    target = tmp_path / "real.pth"
    save({"a": 1}, target)
    link = tmp_path / "latest.pth"
    link.symlink_to(target)
    save({"a": 2}, link)
    assert link.is_symlink() and load(target) == {"a": 2}


def test_missing_directory_is_a_clear_error(tmp_path):
    # torch's type and text: RuntimeError "Parent directory <dir> does not exist."
    with pytest.raises(RuntimeError, match=f"^Parent directory {tmp_path / 'nope'} does not exist.$"):
        save({"a": 1}, tmp_path / "nope" / "ck.pth")
