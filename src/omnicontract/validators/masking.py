"""Masking of personal data in samples. Applied when a finding is built, so no report,
history record or log line can contain an unmasked value unless the user asked."""

from __future__ import annotations

from typing import Any


def _mask_word(word: str, keep: int = 1) -> str:
    if len(word) <= keep:
        return "*" * len(word)
    return word[:keep] + "*" * (len(word) - keep)


def mask(value: Any) -> str | None:
    """Keep the shape, hide the person: ``jo***@ex***.com``, ``+55*******21``, ``M***``."""
    if value is None:
        return None
    text = str(value)
    if "@" in text:
        local, _, domain = text.rpartition("@")
        host, dot, tld = domain.rpartition(".")
        masked_domain = (_mask_word(host, 2) + dot + tld) if dot else _mask_word(domain, 2)
        return _mask_word(local, 2) + "@" + masked_domain
    digits = sum(ch.isdigit() for ch in text)
    if digits >= 6:
        keep_tail = 2
        out, seen = [], 0
        for ch in text:
            if ch.isdigit():
                seen += 1
                out.append(ch if seen <= 2 or seen > digits - keep_tail else "*")
            else:
                out.append(ch)
        return "".join(out)
    if len(text) <= 2:
        return "*" * len(text)
    return text[0] + "*" * (len(text) - 1)
