"""The curated public API: __all__ sorted, complete, and importable."""

import carlzon


def test_all_is_sorted_and_importable():
    names = [n for n in carlzon.__all__ if n != "__version__"]
    assert names == sorted(names, key=str.lower) or names == sorted(names)
    for name in carlzon.__all__:
        assert hasattr(carlzon, name), name


def test_all_is_complete():
    public = {n for n in vars(carlzon) if not n.startswith("_") and not isinstance(getattr(carlzon, n), type(carlzon))}
    assert public <= set(carlzon.__all__), public - set(carlzon.__all__)


def test_import_does_not_configure_logging():
    import logging

    assert not logging.getLogger().handlers or all(
        type(h).__module__.startswith("_pytest") for h in logging.getLogger().handlers
    )
