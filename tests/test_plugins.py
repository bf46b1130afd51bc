"""Plugin loading (vidagent/plugins.py): a thread asking for a registry while another thread is still
importing VIDAGENT_PLUGINS waits for it instead of seeing the registry without the plugin's names."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import REPO

_SLOW_PLUGIN = """
import time
time.sleep(1.0)  # a plugin whose import takes a while (torch, a model file)
from vidagent.describe import register_describer
register_describer("slow-import-describer", lambda cfg: None)
"""

_RACE = """
import threading, time
from vidagent.describe import registered_describers
from vidagent.scenes import registered_detectors
seen = {}
a = threading.Thread(target=registered_detectors)  # the scene stage of one file starts the import
a.start()
time.sleep(0.3)
b = threading.Thread(target=lambda: seen.update(registered_describers()))  # the describer of another
b.start()
a.join(); b.join()
print("slow-import-describer" in seen)
"""


def test_a_registry_asked_during_a_plugin_import_waits_for_it(tmp_path: Path) -> None:
    (tmp_path / "slow_plugin_mod.py").write_text(_SLOW_PLUGIN)
    env = {"VIDAGENT_PLUGINS": "slow_plugin_mod", "PYTHONPATH": f"{tmp_path}:{REPO}", "PATH": "/usr/bin:/bin"}
    res = subprocess.run([sys.executable, "-c", _RACE], env=env, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "True"
