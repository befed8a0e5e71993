"""sudo in the sandbox answers as on OSWorld's VM (password "password", -S, three tries, a
15-minute grace) and gives no more rights than the sandbox's user has."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.osworld_lite.conftest import desktop, desktop_problems  # noqa: F401  (the fixture)


@pytest.fixture
def sandbox(desktop: None) -> Iterator[Any]:
    from envs.osworld_lite.session import DesktopSession

    s = DesktopSession(640, 480).start()
    try:
        yield s.sandbox
    finally:
        s.close()


def _sh(sandbox: Any, script: str) -> dict[str, Any]:
    return sandbox.run(["/bin/bash", "-c", script], timeout=20)


@pytest.mark.slow
def test_sudo_as_on_osworlds_vm(sandbox: Any) -> None:
    no_tty = _sh(sandbox, "sudo -n true; echo rc=$?; sudo true < /dev/null; echo rc=$?")
    assert "sudo: a password is required" in no_tty["stderr"] and "a terminal is required" in no_tty["stderr"]
    assert no_tty["stdout"].split() == ["rc=1", "rc=1"]

    wrong = _sh(sandbox, "printf 'nope\\nnada\\nnein\\n' | sudo -S whoami")
    assert wrong["returncode"] == 1 and wrong["stdout"] == ""
    assert wrong["stderr"].count("Sorry, try again.") == 2 and "3 incorrect password attempts" in wrong["stderr"]

    right = _sh(sandbox, "echo password | sudo -S whoami && sudo -n id -u")  # the second is within the grace
    assert right["returncode"] == 0 and right["stdout"].split() == ["user", "1000"]
    assert "[sudo] password for user:" in right["stderr"]

    forgotten = _sh(sandbox, "sudo -k; sudo -n true")
    assert forgotten["returncode"] == 1

    # No more power than `user`: the system stays read-only, the host's files out of reach.
    denied = _sh(sandbox, "echo password | sudo -S touch /etc/osworld-probe; echo rc=$?; ls /etc/osworld-probe")
    assert "rc=1" in denied["stdout"] and "No such file" in denied["stderr"]
