"""``dapolicy schema TYPE``: the JSON Schema of a record type."""

from __future__ import annotations

import json

import click

from dapolicy.cli._common import _Failure


@click.command()
@click.argument("type_name", metavar="TYPE")
def schema(type_name: str) -> None:
    """Print the JSON Schema (draft 2020-12) of TYPE: Case, Decision or another model.

    A force system in another language can validate a record with it before sending
    it. Unknown keys are refused, date-times need a UTC offset, enums list their
    values. The models' own rules (a report not before the incident, ...) are checked
    when dapolicy reads the record.
    """
    from dapolicy.schema import json_schema, schema_type

    try:
        cls = schema_type(type_name)
    except KeyError as exc:
        raise _Failure(f"unknown type: {exc.args[0]}") from None
    click.echo(json.dumps(json_schema(cls), indent=2, ensure_ascii=False))
