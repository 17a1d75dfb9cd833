"""The optional extra: imported only by commands and pages that train or run the model."""

from __future__ import annotations

from annotator.errors import ApiError

INSTALL_HINT = "the baseline model needs the optional extra: pip install 'annotator[model]'"


class ModelExtraMissing(ApiError):
    status = 501
    code = "model_extra_missing"


def require_model_extra() -> None:
    """Refuse with one plain sentence when scikit-learn or skops is not installed."""
    if not model_extra_installed():
        raise ModelExtraMissing(INSTALL_HINT)


def model_extra_installed() -> bool:
    try:
        import sklearn  # noqa: F401, PLC0415
        import skops  # noqa: F401, PLC0415
    except ImportError:
        return False
    return True
