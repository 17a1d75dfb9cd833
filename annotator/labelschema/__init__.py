"""Label schemas: the YAML file a project is labeled against, as pydantic models."""

from annotator.labelschema.loader import SchemaError, load_schema, load_schema_text
from annotator.labelschema.models import LabelSchema

__all__ = ["LabelSchema", "SchemaError", "load_schema", "load_schema_text"]
