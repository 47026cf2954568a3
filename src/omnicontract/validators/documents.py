"""National document numbers (CPF, CNPJ, DNI, NIE, NIF, SSN, RUT, CURP, ...), validated by
python-stdnum on distinct values.

A type is a python-stdnum module path (``br.cpf``, ``es.nie``, ``us.ssn``, ``ar.dni``) or a
short name: with the record's country, ``<country>.<name>`` when python-stdnum has it
(``dni`` in ``AR`` is ``ar.dni``, in ``ES`` ``es.dni``); otherwise the unambiguous short
names below. Types python-stdnum does not know (passport, other) are not judged.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

SHORT_NAMES = {
    "cpf": "br.cpf",
    "cnpj": "br.cnpj",
    "nie": "es.nie",
    "nif": "es.nif",
    "dni": "es.dni",
    "ssn": "us.ssn",
    "itin": "us.itin",
    "ein": "us.ein",
    "rut": "cl.rut",
    "run": "cl.rut",
    "curp": "mx.curp",
    "rfc": "mx.rfc",
    "cuit": "ar.cuit",
    "cuil": "ar.cuit",
    "nit": "co.nit",
    "ruc": "pe.ruc",
    "ci": "uy.rut",
}
MODULE = re.compile(r"^[a-z]{2}\.[a-z0-9_]+$")


@lru_cache(maxsize=256)
def module(name: str) -> Any | None:
    """The python-stdnum module of a document type, or None when it has none."""
    if not MODULE.match(name):
        return None
    from stdnum.util import get_cc_module

    country, _, kind = name.partition(".")
    try:
        mod = get_cc_module(country, kind)
    except ImportError:
        return None
    return mod if mod is not None and hasattr(mod, "is_valid") else None


def resolve(kind: str | None, country: str | None = None) -> Any | None:
    """The module for a type as written (``CPF``, ``br.cpf``, ``dni`` with country ``AR``)."""
    if not kind:
        return None
    name = kind.strip().lower()
    if "." in name:
        return module(name)
    if country and len(country.strip()) == 2:
        found = module(f"{country.strip().lower()}.{name}")
        if found is not None:
            return found
    alias = SHORT_NAMES.get(name)
    return module(alias) if alias else None


def is_valid(mod: Any, value: str) -> bool:
    try:
        return bool(mod.is_valid(value))
    except Exception:  # a malformed value is invalid, whatever the module raises
        return False
