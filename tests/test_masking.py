from __future__ import annotations

import pytest

from omnicontract.validators.masking import mask


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("maria.silva@example.com", "ma*********@ex*****.com"),
        ("+5511987654321", "+55*********21"),
        ("(11) 98765-4321", "(11) *****-**21"),
        ("123.456.789-09", "12*.***.***-09"),
        ("Maria", "M****"),
        ("ab", "**"),
        ("", ""),
        (None, None),
    ],
)
def test_mask_keeps_shape_hides_person(value: str | None, masked: str | None) -> None:
    assert mask(value) == masked


def test_masked_value_never_contains_the_original_beyond_a_few_characters() -> None:
    original = "joao.pedro.santos@empresa.com.br"
    out = mask(original)
    assert out is not None and len(out) == len(original)
    assert "pedro" not in out and "santos" not in out and "empresa" not in out
