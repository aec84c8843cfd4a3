"""The moto fixes refuse a moto version they were not written for."""

from __future__ import annotations

import pytest

from local import moto_fixes


def test_the_fixes_name_the_moto_version_they_were_written_for():
    import moto

    assert moto.__version__ == moto_fixes.MOTO_VERSION


def test_another_moto_version_is_refused_naming_both_versions(monkeypatch):
    monkeypatch.delenv(moto_fixes.ANY_VERSION_VARIABLE, raising=False)
    monkeypatch.setattr("moto.__version__", "5.3.0")

    with pytest.raises(moto_fixes.MotoVersionMismatch) as refused:
        moto_fixes.apply_all()

    assert "moto 5.2.5" in str(refused.value) and "moto 5.3.0" in str(refused.value)


def test_another_moto_version_can_be_tried_on_purpose_with_a_warning(monkeypatch):
    monkeypatch.setenv(moto_fixes.ANY_VERSION_VARIABLE, "1")

    with pytest.warns(RuntimeWarning, match="written for moto 5.2.5 but moto 5.3.0"):
        moto_fixes.check_moto_version("5.3.0")
