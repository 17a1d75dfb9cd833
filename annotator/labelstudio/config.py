"""The Label Studio labeling config equivalent to a label schema (needs the `labelstudio` extra)."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from annotator.annotate.models import SPAN_LABELS
from annotator.errors import ApiError
from annotator.labelschema import LabelSchema
from annotator.labelstudio.convert import ARTICLE_OUTLET, CATEGORY, NOTE, RELEVANT, SPAN, STATEMENT, TEXT

INSTALL_HINT = "Label Studio features need the optional extra: pip install 'annotator[labelstudio]'"


class LabelStudioMissing(ApiError):
    status = 501
    code = "labelstudio_not_installed"


def label_interface_module() -> ModuleType:
    """label_studio_sdk.label_interface, imported only when a Label Studio feature is used."""
    try:
        from label_studio_sdk import label_interface  # noqa: PLC0415 - heavy and optional
    except ImportError as error:
        raise LabelStudioMissing(INSTALL_HINT) from error
    return label_interface


def labeling_config(schema: LabelSchema) -> str:
    """XML for Label Studio: the controls annotator.labelstudio.convert reads and writes, checked by the SDK."""
    interface = label_interface_module()
    per_region = {"toName": TEXT, "perRegion": "true"}
    vocab = {name: [e.id for e in schema.vocabulary(name)] for name in ("actors", "outlets")}
    choices = {
        "actor_id": vocab["actors"],
        "stance": schema.statement.stance.ids(),
        "target": schema.statement.target.ids(),
        "source_outlet_id": vocab["outlets"],
        CATEGORY: schema.statement.preconditions.ids(),
    }
    tags: dict[str, Any] = {
        TEXT: "Text",
        SPAN: ("Labels", {"toName": TEXT}, tuple(("Label", {"value": label}, ()) for label in SPAN_LABELS)),
        STATEMENT: ("Number", {**per_region, "min": "1"}, ()),
        **{name: _choices(values, per_region) for name, values in choices.items()},
        RELEVANT: _choices(["yes", "no"], {"toName": TEXT}),
        ARTICLE_OUTLET: _choices(vocab["outlets"], {"toName": TEXT}),
        NOTE: ("TextArea", {"toName": TEXT}, ()),
    }
    xml = interface.LabelInterface.create(tags)
    checked = interface.LabelInterface(xml)
    checked.validate()
    return xml


def _choices(values: list[str], attributes: dict[str, str]) -> tuple[str, dict[str, str], tuple[Any, ...]]:
    return ("Choices", {**attributes, "choice": "single"}, tuple(("Choice", {"value": v}, ()) for v in values))


def validate_results(config: str, results: list[dict[str, Any]]) -> list[str]:
    """Label Studio's own structural check of a result list against the config (empty when fine).

    validate_prediction runs the same checks as validate_annotation but lists the errors.
    """
    interface = label_interface_module()
    return list(interface.LabelInterface(config).validate_prediction({"result": results}, return_errors=True) or [])
