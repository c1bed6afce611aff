"""A JSON value checked against the small part of JSON Schema this program sends.

The server is asked to follow the schema (`response_format`), but a server may ignore it, so
what comes back is checked here, field by field. Supported: type (object, array, string,
integer, number, boolean), properties, required, additionalProperties false, minLength,
maxLength, minItems, maxItems, items, enum. A schema using anything else is a programming
error, refused at once so that an unchecked keyword never passes for a checked one.
"""

from __future__ import annotations

KNOWN = {"type", "properties", "required", "additionalProperties", "minLength", "maxLength",
         "minItems", "maxItems", "items", "enum", "description"}
_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool}


def problems(value: object, schema: dict, where: str = "the reply") -> list[str]:
    """What is wrong with `value` under `schema`, in words (empty: it follows the schema)."""
    unknown = set(schema) - KNOWN
    if unknown:
        raise ValueError(f"schema keywords not checked here: {sorted(unknown)}")
    kind = schema.get("type")
    if kind is not None and not _is(value, kind):
        return [f"{where} is not {'an' if kind[0] in 'aeiou' else 'a'} {kind}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where} is not one of {schema['enum']}"]
    found: list[str] = []
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            found.append(f"{where} is shorter than {schema['minLength']} characters")
        if len(value) > schema.get("maxLength", len(value)):
            found.append(f"{where} is longer than {schema['maxLength']} characters")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            found.append(f"{where} has fewer than {schema['minItems']} items")
        if len(value) > schema.get("maxItems", len(value)):
            found.append(f"{where} has more than {schema['maxItems']} items")
        for i, item in enumerate(value):
            found += problems(item, schema.get("items", {}), f"{where}[{i}]")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        found += [f"{where} has no {name!r}" for name in schema.get("required", ()) if name not in value]
        if schema.get("additionalProperties") is False:
            found += [f"{where} has an unexpected {name!r}" for name in value if name not in properties]
        for name, sub in properties.items():
            if name in value:
                found += problems(value[name], sub, f"{where}'s {name!r}")
    return found


def _is(value: object, kind: str) -> bool:
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, _TYPES[kind])
