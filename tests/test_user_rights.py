import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# Prints the prefix without_root_rights() gives, or "skipped" where it skips the test.
CHILD = (
    "import pytest\n"
    "from tests.user_rights import without_root_rights\n"
    "try:\n"
    "    print(without_root_rights())\n"
    "except pytest.skip.Exception:\n"
    "    print('skipped')\n"
)


def test_a_root_whose_rights_setpriv_cannot_take_skips(tmp_path: Path) -> None:
    # Was: without CAP_SETPCAP (a container started without it) setpriv leaves root's right
    # to read anything in place without a word, and the permission tests failed, not skipped.
    barred = tmp_path / "barred"
    barred.write_text("x")
    barred.chmod(0)
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or setpriv is None or not os.access(barred, os.R_OK):
        pytest.skip("needs root with its right to read anything, and setpriv, to run one without CAP_SETPCAP")
    # From the repository's root, where the child finds the tests' helpers as tests.user_rights.
    repo = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [setpriv, "--bounding-set=-setpcap", sys.executable, "-c", CHILD],
        capture_output=True,
        text=True,
        cwd=repo,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "skipped", done.stdout
