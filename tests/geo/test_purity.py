"""geo/ (and matching/, once it exists) must not pull in the web stack."""

import importlib.util
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import geo

ROOT = Path(__file__).resolve().parents[2]


def test_geo_and_matching_import_without_flask_or_sqlalchemy():
    modules = ["geo", *sorted(f"geo.{m.name}" for m in pkgutil.iter_modules(geo.__path__))]
    if importlib.util.find_spec("matching") is not None:
        modules.append("matching")
    assert "geo.io" in modules and "geo.divisions" in modules
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
