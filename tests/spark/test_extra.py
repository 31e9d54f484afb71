"""The spark extra is optional: importing carlzon never imports pyspark; without it the error names the fix."""

from __future__ import annotations

import subprocess
import sys

import pytest

from carlzon.errors import MissingExtraError


def test_import_carlzon_does_not_import_pyspark():
    code = "import sys, carlzon, carlzon.spark, carlzon.cli; print('pyspark' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_missing_pyspark_raises_missing_extra(monkeypatch):
    import carlzon.spark as cs

    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark now fails
    for mod in [m for m in sys.modules if m.startswith("carlzon.spark.")]:
        monkeypatch.delitem(sys.modules, mod)
    with pytest.raises(MissingExtraError) as err:
        cs.detect  # noqa: B018 - the lazy attribute imports the module, which needs pyspark
    assert err.value.extra == "spark"
    assert "pip install 'carlzon[spark]'" in str(err.value)
