"""The benchmark's data layout: one CRM customer export and one interaction export per
channel, each with its own column names, vocabulary and formats.

Each column is ``(source column, canonical field, mapping options, generating SQL)``.
``generate.py`` turns this into CSV files and channel bindings; ``baseline.py`` reads
the same table to know which column holds what, as an engineer would from the export's
documentation. Generating SQL sees ``i`` (row number) and the macros of ``generate.py``.

Defects are planted on fixed residues of ``i % 1000`` (about 0.1% of rows each).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TIMEZONE = "America/Sao_Paulo"
PHONE_REGION = "BR"
TS_FORMAT = "%d/%m/%Y %H:%M"
DATE_FORMAT = "%d/%m/%Y"


@dataclass(frozen=True)
class Column:
    name: str
    field: str
    options: dict[str, Any]
    sql: str


@dataclass(frozen=True)
class Feed:
    channel: str
    feed: str
    entity: str
    path: str
    delimiter: str
    share: float  # fraction of all interactions (0 for customers)
    columns: list[Column]
    constants: dict[str, str] = field(default_factory=dict)

    def column_for(self, field_name: str) -> Column | None:
        return next((c for c in self.columns if c.field == field_name), None)


def _ts(salt: int) -> str:
    """A local timestamp in 2024-2025, planted unparseable (i%1000=23) or future (=29)."""
    at = f"ts_at(i, {salt})"
    return (
        f"CASE WHEN i % 1000 = 23 THEN strftime({at}, '%Y-%m-%d %H:%M') "
        f"WHEN i % 1000 = 29 THEN strftime({at} + INTERVAL 75 YEAR, '%d/%m/%Y %H:%M') "
        f"ELSE strftime({at}, '%d/%m/%Y %H:%M') END"
    )


def _status(salt: int, values: list[str]) -> str:
    """One of ``values``, or an unknown word (i%1000=31); NULL for i%1000=33."""
    arr = "[" + ", ".join("'" + v + "'" for v in values) + "]"
    return (
        f"CASE WHEN i % 1000 = 31 THEN 'Desconhecido' WHEN i % 1000 = 33 THEN NULL "
        f"ELSE {arr}[1 + h(i, {salt}) % {len(values)}] END"
    )


def _id(prefix: str) -> str:
    """Interaction key: duplicated (i%1000=3, repeats the previous key) or empty (i%2000=5)."""
    return (
        f"CASE WHEN i % 2000 = 5 THEN NULL WHEN i % 1000 = 3 THEN '{prefix}' || (i - 1) "
        f"ELSE '{prefix}' || i END"
    )


# customer referenced by interaction row i: uniform over the customer base; explicit
# orphans at i%1000=11 (the customers at c%1000=7 are also missing: their id is duplicated)
CUSTOMER_REF = (
    "CASE WHEN i % 1000 = 11 THEN 'X' || lpad((i % 99991)::VARCHAR, 8, '0') "
    "ELSE cust_id(cust(i)) END"
)
EMAIL_REF = (
    "CASE WHEN i % 1000 = 13 THEN 'cliente' || cust(i) || '.exemplo.com' "
    "WHEN i % 50 = 1 THEN ' Cliente' || cust(i) || '@Exemplo.com.br ' "
    "ELSE 'cliente' || cust(i) || '@exemplo.com.br' END"
)
PHONE_BAD = "'(11) 1234-56'"

CUSTOMERS = Feed(
    channel="crm",
    feed="customers",
    entity="customer",
    path="exports/crm_customers.csv",
    delimiter=";",
    share=0.0,
    columns=[
        Column(
            "id",
            "customer_id",
            {},
            "CASE WHEN i % 1000 = 7 THEN cust_id(i - 1) ELSE cust_id(i) END",
        ),
        Column("nome", "full_name", {}, "'Cliente ' || i"),
        Column(
            "email",
            "email",
            {},
            "CASE WHEN i % 1000 = 13 THEN 'cliente' || i || 'exemplo.com' "
            "WHEN i % 100 = 99 THEN NULL "
            "WHEN i % 50 = 1 THEN ' Cliente' || i || '@Exemplo.com.br ' "
            "ELSE 'cliente' || i || '@exemplo.com.br' END",
        ),
        Column(
            "celular",
            "phone",
            {},
            f"CASE WHEN i % 1000 = 17 THEN {PHONE_BAD} WHEN i % 200 = 150 THEN NULL "
            "ELSE phone_local(i) END",
        ),
        Column(
            "pais",
            "country",
            {},
            "CASE WHEN i % 1000 = 19 THEN 'Brasil' WHEN i % 20 = 1 THEN 'AR' "
            "WHEN i % 20 = 2 THEN 'PT' ELSE 'BR' END",
        ),
        Column(
            "data_nascimento",
            "birth_date",
            {"format": DATE_FORMAT},
            "CASE WHEN i % 1000 = 21 THEN '31/02/1990' "
            "ELSE strftime(DATE '1950-01-01' + CAST(h(i, 3) % 20000 AS INTEGER), '%d/%m/%Y') END",
        ),
        Column("criado_em", "created_at", {"format": TS_FORMAT}, _ts(4)),
    ],
)

INTERACTIONS = [
    Feed(
        channel="whatsapp",
        feed="messages",
        entity="interaction",
        path="exports/whatsapp_messages.csv",
        delimiter=",",
        share=0.30,
        constants={"channel": "whatsapp", "kind": "message"},
        columns=[
            Column("message_id", "interaction_id", {}, _id("wa")),
            Column("cliente", "customer_id", {}, CUSTOMER_REF),
            Column(
                "wa_id",
                "phone",
                {"phone_international": True},
                f"CASE WHEN i % 1000 = 17 THEN {PHONE_BAD} ELSE phone_wa(cust(i)) END",
            ),
            Column("enviado_em", "occurred_at", {"format": TS_FORMAT}, _ts(5)),
            Column(
                "estado",
                "status",
                {
                    "values": {
                        "Enviada": "sent",
                        "Entregue": "delivered",
                        "Lida": "read",
                        "Falhou": "failed",
                    }
                },
                _status(6, ["Enviada", "Entregue", "Lida", "Falhou"]),
            ),
            Column(
                "direcao",
                "direction",
                {"values": {"Recebida": "inbound", "Enviada": "outbound"}},
                "CASE WHEN h(i, 7) % 2 = 0 THEN 'Recebida' ELSE 'Enviada' END",
            ),
        ],
    ),
    Feed(
        channel="email",
        feed="sends",
        entity="interaction",
        path="exports/email_sends.csv",
        delimiter=",",
        share=0.20,
        constants={"channel": "email", "kind": "email", "direction": "outbound"},
        columns=[
            Column("email_id", "interaction_id", {}, _id("em")),
            Column("customer_id", "customer_id", {}, CUSTOMER_REF),
            Column("address", "email", {}, EMAIL_REF),
            Column("sent_at", "occurred_at", {"format": TS_FORMAT}, _ts(8)),
            Column(
                "status",
                "status",
                {
                    "values": {
                        "SENT": "sent",
                        "DELIVERED": "delivered",
                        "OPENED": "read",
                        "BOUNCED": "bounced",
                    }
                },
                _status(9, ["SENT", "DELIVERED", "OPENED", "BOUNCED"]),
            ),
            Column("campaign", "campaign_id", {}, "'CMP' || (h(i, 10) % 40)"),
        ],
    ),
    Feed(
        channel="call_center",
        feed="calls",
        entity="interaction",
        path="exports/call_center_calls.csv",
        delimiter=";",
        share=0.10,
        constants={"channel": "call_center", "kind": "call", "direction": "inbound"},
        columns=[
            Column("call_id", "interaction_id", {}, _id("call")),
            Column("cod_cliente", "customer_id", {}, CUSTOMER_REF),
            Column(
                "telefone",
                "phone",
                {},
                f"CASE WHEN i % 1000 = 17 THEN {PHONE_BAD} ELSE phone_local(cust(i)) END",
            ),
            Column("inicio", "occurred_at", {"format": TS_FORMAT}, _ts(11)),
            Column(
                "duracao_seg",
                "duration_seconds",
                {},
                "CASE WHEN i % 1000 = 47 THEN '-' || (h(i, 12) % 90 + 1) "
                "WHEN i % 2000 = 49 THEN 'n/d' ELSE (h(i, 12) % 1800 + 5)::VARCHAR END",
            ),
            Column(
                "situacao",
                "status",
                {
                    "values": {
                        "Atendida": "completed",
                        "Abandonada": "cancelled",
                        "Em espera": "pending",
                    }
                },
                _status(13, ["Atendida", "Abandonada", "Em espera"]),
            ),
            Column("agente", "agent_id", {}, "'AG' || (h(i, 14) % 300)"),
        ],
    ),
    Feed(
        channel="web",
        feed="sessions",
        entity="interaction",
        path="exports/web_sessions.csv",
        delimiter=",",
        share=0.15,
        constants={"channel": "web", "kind": "page_view", "direction": "inbound"},
        columns=[
            Column("session_id", "interaction_id", {}, _id("ws")),
            Column(
                "customer_id",
                "customer_id",
                {},
                f"CASE WHEN h(i, 15) % 5 = 0 THEN NULL ELSE {CUSTOMER_REF} END",
            ),
            Column(
                "email", "email", {}, f"CASE WHEN h(i, 15) % 5 = 0 THEN NULL ELSE {EMAIL_REF} END"
            ),
            Column("ts", "occurred_at", {"format": TS_FORMAT}, _ts(16)),
            Column(
                "page",
                "topic",
                {},
                "['/home', '/ofertas', '/carrinho', '/conta', '/ajuda'][1 + h(i, 17) % 5]",
            ),
        ],
    ),
    Feed(
        channel="app",
        feed="orders",
        entity="interaction",
        path="exports/app_orders.csv",
        delimiter=",",
        share=0.10,
        constants={"channel": "app", "kind": "order", "direction": "inbound"},
        columns=[
            Column("order_id", "interaction_id", {}, _id("ord")),
            Column("customer_id", "customer_id", {}, CUSTOMER_REF),
            Column("created", "occurred_at", {"format": TS_FORMAT}, _ts(18)),
            Column(
                "status",
                "status",
                {"values": {"PAID": "completed", "CANCELED": "cancelled", "PENDING": "pending"}},
                _status(19, ["PAID", "CANCELED", "PENDING"]),
            ),
            Column(
                "total",
                "amount",
                {},
                "CASE WHEN i % 1000 = 37 THEN '2500000.00' WHEN i % 2000 = 41 THEN 'abc' "
                "ELSE printf('%.2f', (h(i, 20) % 500000) / 100.0) END",
            ),
            Column(
                "currency",
                "currency",
                {},
                "CASE WHEN i % 1000 = 43 THEN 'R$' WHEN i % 10 = 1 THEN 'USD' ELSE 'BRL' END",
            ),
        ],
    ),
    Feed(
        channel="store",
        feed="sales",
        entity="interaction",
        path="exports/store_sales.csv",
        delimiter=";",
        share=0.10,
        constants={"channel": "store", "kind": "purchase", "direction": "inbound"},
        columns=[
            Column("venda_id", "interaction_id", {}, _id("v")),
            Column("cliente", "customer_id", {}, CUSTOMER_REF),
            Column("loja", "store_id", {}, "'LJ' || lpad((h(i, 21) % 120)::VARCHAR, 3, '0')"),
            Column("data_hora", "occurred_at", {"format": TS_FORMAT}, _ts(22)),
            Column(
                "valor",
                "amount",
                {"decimal_separator": ","},
                "CASE WHEN i % 1000 = 37 THEN '1.500.000,00' WHEN i % 2000 = 41 THEN '12,3,4' "
                "ELSE replace(printf('%.2f', (h(i, 23) % 300000) / 100.0), '.', ',') END",
            ),
            Column(
                "moeda",
                "currency",
                {},
                "CASE WHEN i % 1000 = 43 THEN 'Reais' ELSE 'BRL' END",
            ),
            Column(
                "situacao",
                "status",
                {"values": {"Concluida": "completed", "Cancelada": "cancelled"}},
                _status(24, ["Concluida", "Concluida", "Concluida", "Cancelada"]),
            ),
        ],
    ),
    Feed(
        channel="instagram",
        feed="comments",
        entity="interaction",
        path="exports/instagram_comments.csv",
        delimiter=",",
        share=0.05,
        constants={"channel": "instagram", "kind": "comment", "direction": "inbound"},
        columns=[
            Column("comment_id", "interaction_id", {}, _id("ig")),
            Column("cliente", "customer_id", {}, CUSTOMER_REF),
            Column("usuario", "social_handle", {}, "'@cliente_' || cust(i)"),
            Column("criado_em", "occurred_at", {"format": TS_FORMAT}, _ts(25)),
            Column(
                "status",
                "status",
                {"values": {"Respondido": "resolved", "Pendente": "pending", "Ignorado": "closed"}},
                _status(26, ["Respondido", "Pendente", "Ignorado"]),
            ),
        ],
    ),
]

FEEDS = [CUSTOMERS, *INTERACTIONS]


def interaction_rows(total: int) -> dict[str, int]:
    """Rows per interaction channel; the shares sum to 1 and the rows to ``total``."""
    counts = {f.channel: int(total * f.share) for f in INTERACTIONS}
    counts[INTERACTIONS[0].channel] += total - sum(counts.values())
    return counts
