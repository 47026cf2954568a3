"""`omnicontract infer`: detection on small files, and the retail example end to end.

The end-to-end test drafts every channel of examples/retail from its exports alone,
applies the few fixes a person would make after reading the UNSURE/TODO comments (each
fix may only touch a line so marked), and checks that the drafted project reports
exactly what the hand-written bindings report.
"""

from __future__ import annotations

import difflib
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import omnicontract
from omnicontract.cli.main import cli
from omnicontract.contracts.loader import load_channel
from omnicontract.infer import infer_binding
from omnicontract.infer.sniff import detect_delimiter, detect_encoding
from omnicontract.infer.values import guess_boolean, guess_phone, guess_time, value_map

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "retail"
NOW = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)

# channel -> [(export, entity)]; the e-mail channel has two feeds in one binding file
EXPORTS = {
    "crm": [("exports/crm/clientes.csv", "customer")],
    "whatsapp": [("exports/whatsapp/messages.jsonl", "interaction")],
    "email": [
        ("exports/email/deliveries.csv", "interaction"),
        ("exports/email/subscribers.csv", "customer"),
    ],
    "call_center": [("exports/call_center/ligacoes.csv", "interaction")],
    "web": [("exports/web/events.parquet", "interaction")],
    "app": [("exports/app/events.parquet", "interaction")],
    "store": [("exports/store/tickets.txt", "interaction")],
    "instagram": [("exports/instagram/interactions.json", "interaction")],
}
# What a person changes after reading the draft: (text on the line, replacement).
FIXES = {
    # the vendor documents the contact-center times as UTC, which no sample can show
    "call_center": [("timezone: America/Sao_Paulo", "timezone: UTC")],
}
# drafted feeds are named after their files; the hand-written bindings use English names
FEED_NAMES = {"clientes": "customers", "ligacoes": "calls"}


def apply_fixes(text: str, fixes: list[tuple[str, str]]) -> str:
    lines = text.splitlines(keepends=True)
    for old, new in fixes:
        hits = [i for i, line in enumerate(lines) if old in line]
        assert hits, f"no line holds {old!r}"
        for i in hits:
            lines[i] = lines[i].replace(old, new)
    return "".join(lines)


def changed_lines(before: str, after: str) -> list[str]:
    diff = difflib.ndiff(before.splitlines(), after.splitlines())
    return [line[2:] for line in diff if line.startswith("- ")]


def draft_channel(root: Path, channel: str) -> str:
    """The channel's binding: one drafted feed per export, in one file."""
    texts = [
        infer_binding(root / export, entity, channel=channel, project=root).text
        for export, entity in EXPORTS[channel]
    ]
    first, rest = texts[0], texts[1:]
    for text in rest:  # append the other feeds' list items
        first += text[text.index("  - name:") :]
    return first


def as_tuples(findings) -> list[tuple]:
    return sorted(
        (
            (f.code, f.severity, f.channel, FEED_NAMES.get(f.feed, f.feed), f.field, f.count)
            for f in findings
        ),
        key=lambda t: tuple(str(x) for x in t),
    )


@pytest.fixture(scope="module")
def drafted(tmp_path_factory) -> dict[str, tuple[str, str]]:
    """channel -> (draft, fixed draft); the drafted project is written under a copy."""
    root = tmp_path_factory.mktemp("retail")
    shutil.copy(EXAMPLE / "omnicontract.yaml", root / "omnicontract.yaml")
    shutil.copytree(EXAMPLE / "exports", root / "exports")
    (root / "channels").mkdir()
    out = {}
    for channel in EXPORTS:
        text = draft_channel(root, channel)
        fixed = apply_fixes(text, FIXES.get(channel, []))
        (root / "channels" / f"{channel}.yaml").write_text(fixed, encoding="utf-8")
        out[channel] = (text, fixed)
    out["_root"] = (str(root), "")
    return out


def test_drafts_load_with_the_real_loader(drafted) -> None:
    root = Path(drafted["_root"][0])
    for channel in EXPORTS:
        model = load_channel(root / "channels" / f"{channel}.yaml").model
        assert model.channel == channel
        assert len(model.feeds) == len(EXPORTS[channel])


def test_fixes_touch_only_marked_lines(drafted) -> None:
    for channel in EXPORTS:
        text, fixed = drafted[channel]
        for line in changed_lines(text, fixed):
            assert "# UNSURE:" in line or "# TODO" in line, (channel, line)


# A key layout and a link to another channel are what a channel promises, which no
# sample can show: the hand-written bindings declare some (OC-IDN-003, OC-REF-002), the
# drafts none. Without the link, OC-TIM-001 falls back on the hour profiles.
PROMISED = {"OC-IDN-003", "OC-REF-002"}


def test_drafted_project_reports_what_the_hand_written_one_does(drafted) -> None:
    root = Path(drafted["_root"][0])
    want = omnicontract.validate(EXAMPLE, now=NOW)
    got = omnicontract.validate(root, now=NOW)
    expected = [f for f in want.findings if f.code not in PROMISED]
    assert not [f for f in got.findings if f.code in PROMISED]
    assert as_tuples(got.findings) == as_tuples(expected)
    assert got.counts() == want.counts(expected)


def test_unsure_choices_are_marked(drafted) -> None:
    whatsapp = drafted["whatsapp"][0]
    assert "# Transferido:  # TODO" in whatsapp  # a status no synonym covers
    assert "phone_international: true  # UNSURE" in whatsapp
    calls = drafted["call_center"][0]
    assert "timezone: America/Sao_Paulo  # UNSURE" in calls
    assert "encoding: latin-1" in calls and 'delimiter: ";"' in calls
    store = drafted["store"][0]
    assert "America/Argentina/Buenos_Aires  # UNSURE" in store  # ARS amounts
    assert 'decimal_separator: ","' in store and "encoding: utf-16" in store
    assert "#   medio_pago" in store


# ------------------------------------------------------------------ the command


def test_cli_writes_the_binding_and_a_summary(tmp_path: Path) -> None:
    export = tmp_path / "exports" / "whatsapp" / "conversas.csv"
    export.parent.mkdir(parents=True)
    export.write_text(
        "id;telefone;data;situacao\n"
        "m1;(11) 98765-4321;13/01/2025 10:00;Atendido\n"
        "m2;(21) 99876-5432;14/01/2025 11:30;Pendente\n"
        "m3;(11) 97654-3210;15/01/2025 09:15;Aguardando peça\n",
        encoding="utf-8",
    )
    out = tmp_path / "channels" / "whatsapp.yaml"
    run = CliRunner().invoke(cli, ["infer", str(export), "-e", "interaction", "-o", str(out)])
    assert run.exit_code == 0, run.output
    assert "4 columns mapped, 0 unmapped" in run.stderr
    text = out.read_text()
    assert "channel: whatsapp  # UNSURE: guessed from the path" in text
    assert "phone_region: BR  # UNSURE" in text
    assert "# Aguardando peça:  # TODO" in text
    binding = load_channel(out).model
    feed = binding.feeds[0]
    assert feed.fields["occurred_at"].format == "%d/%m/%Y %H:%M"
    assert feed.fields["status"].values == {"Atendido": "resolved", "Pendente": "pending"}
    assert feed.constants == {"channel": "whatsapp", "kind": "message"}


def test_cli_unknown_entity_exits_2(tmp_path: Path) -> None:
    export = tmp_path / "a.csv"
    export.write_text("a,b\n1,2\n")
    run = CliRunner().invoke(cli, ["infer", str(export), "-e", "order"])
    assert run.exit_code == 2
    assert "no entity 'order'" in run.stderr


def test_json_lines_and_nested_keys(tmp_path: Path) -> None:
    export = tmp_path / "dm.jsonl"
    rows = [
        {"id": f"x{i}", "sent_at": f"2025-01-0{i}T10:00:00+00:00", "from": {"username": f"u{i}"}}
        for i in range(1, 6)
    ]
    export.write_text("\n".join(json.dumps(r) for r in rows))
    text = infer_binding(export, "interaction", channel="instagram").text
    feed = yaml.safe_load(text)["feeds"][0]
    assert feed["fields"]["social_handle"] == {"column": "from.username"}
    assert feed["fields"]["occurred_at"] == {"column": "sent_at"}  # offsets: no zone needed


def test_a_column_whose_name_holds_a_dot_is_a_column(tmp_path: Path) -> None:
    # 'Cód. Cliente' is mapped; 'Cód. Pedido' (an order number) is left for the user,
    # listed as unmapped, not taken for a key of a JSON object named 'Cód'
    export = tmp_path / "ligacoes.csv"
    export.write_text(
        "Protocolo;Cód. Cliente;Cód. Pedido;Data/Hora\n"
        "1;CL1;P77;13/01/2025 10:00\n2;CL2;P78;14/01/2025 11:30\n3;CL3;P79;15/01/2025 09:15\n",
        encoding="utf-8",
    )
    draft = infer_binding(export, "interaction", channel="call_center")
    feed = yaml.safe_load(draft.text)["feeds"][0]
    assert feed["fields"]["customer_id"] == {"column": "Cód. Cliente"}
    assert draft.unmapped == ["Cód. Pedido"]


# ------------------------------------------------------------------ detection units


@pytest.mark.parametrize(
    ("data", "encoding", "bom"),
    [
        ("nome;cidade\nJoão;São Paulo\n".encode("utf-8-sig"), "utf-8", True),
        ("nome;cidade\nJoão;São Paulo\n".encode(), "utf-8", False),
        ("nome;cidade\nJoão;São Paulo\n".encode("utf-16"), "utf-16", True),
        ("nome;cidade\nJoão;São Paulo\n".encode("latin-1"), "latin-1", False),
        ("nome;obs\nJoão;“bom”\n".encode("cp1252"), "cp1252", False),
        (b"plain,ascii\n1,2\n", "utf-8", False),
    ],
)
def test_encoding(data: bytes, encoding: str, bom: bool) -> None:
    got, has_bom, _note = detect_encoding(data)
    assert (got, has_bom) == (encoding, bom)


def test_utf8_cut_in_the_middle_of_a_character_is_still_utf8() -> None:
    data = ("ação;" * 10).encode()
    assert detect_encoding(data[:-1])[0] == "utf-8"


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("a,b,c\n1,2,3\n4,5,6\n", ","),
        ("a;b;c\n1,5;2;3\n4;5,2;6\n", ";"),
        ("a\tb\tc\n1\t2\t3\n", "\t"),
        ("a|b\n1|2\n", "|"),
        ('id,subject\n1,"Hello; world"\n2,"Bye; now"\n', ","),
    ],
)
def test_delimiter(text: str, delimiter: str) -> None:
    assert detect_delimiter(text)[0] == delimiter


@pytest.mark.parametrize(
    ("values", "fmt", "ambiguous"),
    [
        (["13/01/2025 10:00", "01/02/2025 11:30"], "%d/%m/%Y %H:%M", False),
        (["01/13/2025", "02/01/2025"], "%m/%d/%Y", False),
        (["01/02/2025", "03/04/2025"], "%d/%m/%Y", True),
        (["25/12/2024 23:59:59"], "%d/%m/%Y %H:%M:%S", False),
        (["1719847777", "1735419461"], "epoch_s", False),
        (["1719847777000", "1735419461123"], "epoch_ms", False),
        (["2024-07-01T18:41:40+0000", "2024-07-02T10:00:00Z"], None, False),
    ],
)
def test_date_formats(values: list[str], fmt: str | None, ambiguous: bool) -> None:
    guess = guess_time(values)
    assert guess is not None
    assert guess.format == fmt
    assert bool(guess.note and "ambiguous" in guess.note) is ambiguous


def test_offsets_and_naive_times() -> None:
    aware = guess_time(["2024-07-01T18:41:40+00:00", "2024-07-01 18:41:40-03:00"])
    naive = guess_time(["2024-07-01 18:41:40", "2024-07-02 08:00:00"])
    assert aware and aware.has_offset
    assert naive and not naive.has_offset and naive.format is None
    assert guess_time(["hello", "world"]) is None


def test_phone_region_and_international() -> None:
    local = guess_phone(["(11) 98765-4321", "21 99876-5432"], ["AR", "BR"], False)
    assert (local.region, local.international) == ("BR", False)
    wa = guess_phone(["5511987654321", "5491123456789"], ["BR"], True)
    assert wa.international


def test_value_maps_in_three_languages() -> None:
    enum = ["open", "pending", "resolved", "closed", "cancelled"]
    known, unknown = value_map(
        "status", ["Atendido", "pendiente", "Cerrado", "open", "Transferido"], enum
    )
    assert known == {"Atendido": "resolved", "pendiente": "pending", "Cerrado": "closed"}
    assert unknown == ["Transferido"]


def test_booleans() -> None:
    assert guess_boolean(["S", "N"]) == (["S"], ["N"], False)
    assert guess_boolean(["subscribed", "unsubscribed"]) == (["subscribed"], ["unsubscribed"], True)
    assert guess_boolean(["S", "talvez"]) is None


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("nome;obs\nJoão;\u201cótimo\u201d \u2013 sim\nAna;café\n", "cp1252"),
        ("nombre;ciudad\nMuñoz;Málaga\nPeña;Cádiz\n", "latin-1"),
    ],
)
def test_windows_1252_and_latin_1_are_told_apart(tmp_path: Path, text: str, encoding: str) -> None:
    data = text.encode(encoding)
    assert detect_encoding(data)[0] == encoding
    export = tmp_path / "export.csv"
    export.write_bytes(data)
    drafted = infer_binding(export, "customer", channel="crm")
    source = yaml.safe_load(drafted.text)["feeds"][0]["source"]
    assert source["encoding"] == encoding
    assert "exit" not in drafted.text
