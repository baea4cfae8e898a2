"""Validates the OpenAPI document against the OpenAPI 3 schema (openapi-spec-validator)."""
import sys

import yaml
from openapi_spec_validator import validate

with open(sys.argv[1], encoding="utf-8") as handle:
    document = yaml.safe_load(handle)
validate(document)
paths = document["paths"]
operations = sum(1 for item in paths.values() for key in item if key in {"get", "post", "put", "patch", "delete"})
print(f"OpenAPI {document['openapi']} document is valid: {len(paths)} paths, {operations} operations")
