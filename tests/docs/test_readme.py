"""The README's Quickstart has exactly two commands, and its library example runs as written."""

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_quickstart_has_exactly_two_commands():
    quick = README.read_text(encoding="utf-8").split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    commands = [
        line for b in re.findall(r"```bash\n(.*?)```", quick, flags=re.S) for line in b.splitlines() if line.strip()
    ]
    assert commands == ["pip install -e . && carlzon demo", "bash scripts/test.sh"]


def test_library_example_runs(tmp_path):
    (code,) = _blocks("python")
    res = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    first = res.stdout.splitlines()[0]
    read, stored, dup, quar = (int(x) for x in re.findall(r"\d+", first))
    assert read == stored + dup + quar
    assert stored > 1000
    assert "importance" in res.stdout
    assert "touchpoint" in res.stdout
