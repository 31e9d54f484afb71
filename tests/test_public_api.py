"""The curated public API: __all__ sorted, complete, and importable."""

import subprocess
import sys

import carlzon


def test_all_is_sorted_and_importable():
    names = [n for n in carlzon.__all__ if n != "__version__"]
    assert names == sorted(names, key=lambda n: (n[0].islower(), n))
    for name in carlzon.__all__:
        assert getattr(carlzon, name) is not None, name


def test_all_is_complete():
    public = {n for n in vars(carlzon) if not n.startswith("_") and not isinstance(getattr(carlzon, n), type(carlzon))}
    assert public <= set(carlzon.__all__), public - set(carlzon.__all__)


def test_unknown_attribute_is_an_attribute_error():
    try:
        carlzon.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("expected AttributeError")


def test_import_is_light_and_configures_no_logging():
    code = (
        "import logging, sys, carlzon; "
        "assert not logging.getLogger().handlers; "
        "heavy = [m for m in ('sklearn', 'statsmodels', 'lifelines', 'fastapi', 'torch', 'pyspark') if m in sys.modules]; "
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
