"""Write the retail example's channel exports, deterministically.

    python examples/retail/generate.py            # rewrites examples/retail/exports/
    python examples/retail/generate.py --out DIR  # writes the same bytes elsewhere

A Brazilian retailer with stores in Argentina: a CRM customer master and the exports of
seven contact channels, each in the shape its source system really produces. Every
defect listed in DEFECTS.md is planted here on purpose, in a known number, on rows that
are otherwise clean; every other row is clean. Standard library only, plus pyarrow for
the two Parquet files. The same seed always gives the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

SEED = 20250115
# The fixed "now" of tests/test_example_retail.py. Clean timestamps all lie before it.
NOW = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)
START = datetime(2024, 7, 1, tzinfo=UTC)
END = datetime(2025, 1, 10, 23, 0, tzinfo=UTC)
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
BUENOS_AIRES = ZoneInfo("America/Argentina/Buenos_Aires")
HERE = Path(__file__).resolve().parent

N_CUSTOMERS = 300  # of which 2 are deleted from the CRM (see plant_email_orphans)
AR_SHARE = 0.2

BR_FIRST = "Ana Beatriz Bruno Camila Carlos Daniela Eduardo Fernanda Gabriel Helena Igor Juliana "
BR_FIRST += "João Larissa Lucas Luíza Marcelo Maria Mateus Natália Otávio Patrícia Rafael Renata "
BR_FIRST += "Rodrigo Sérgio Tatiane Thiago Vanessa Vinícius"
BR_LAST = "Silva Santos Oliveira Souza Pereira Lima Carvalho Ferreira Rodrigues Almeida Costa "
BR_LAST += "Gomes Ribeiro Martins Araújo Barbosa Rocha Dias Nascimento Moreira Cardoso Teixeira"
AR_FIRST = "Agustín Camila Facundo Florencia Julieta Lautaro Martina Matías Milagros Nicolás "
AR_FIRST += "Sofía Valentina Santiago Tomás Lucía"
AR_LAST = "González Rodríguez Fernández López Martínez Pérez Gómez Díaz Sánchez Romero Sosa "
AR_LAST += "Álvarez Benítez Acosta Medina"
BR_DOMAINS = ["gmail.com", "hotmail.com", "outlook.com", "yahoo.com.br", "uol.com.br", "bol.com.br"]
AR_DOMAINS = ["gmail.com", "hotmail.com.ar", "yahoo.com.ar", "outlook.com"]
# Area codes (DDD) whose 9xxxx-xxxx numbers are valid mobiles.
DDDS = [11, 11, 11, 12, 13, 19, 21, 21, 27, 31, 41, 47, 48, 51, 61, 62, 71, 81, 85]
PREFERRED = ["WhatsApp"] * 5 + ["E-mail"] * 3 + ["Telefone", "Loja", "App", "Instagram", "SMS"]


# ----------------------------------------------------------------------- helpers


def ascii_fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def between(rng: random.Random, lo: datetime, hi: datetime) -> datetime:
    """A whole-minute instant in [lo, hi]."""
    minutes = int((hi - lo).total_seconds() // 60)
    return lo + timedelta(minutes=rng.randint(0, minutes))


def local(ts: datetime, zone: ZoneInfo, fmt: str) -> str:
    return ts.astimezone(zone).strftime(fmt)


def cpf(rng: random.Random) -> str:
    """A CPF with valid check digits, punctuated as people type it: 123.456.789-09."""
    digits = [rng.randint(0, 9) for _ in range(9)]
    for size in (9, 10):
        total = sum(d * w for d, w in zip(digits, range(size + 1, 1, -1), strict=True))
        rest = total % 11
        digits.append(0 if rest < 2 else 11 - rest)
    s = "".join(map(str, digits))
    return f"{s[:3]}.{s[3:6]}.{s[6:9]}-{s[9:]}"


def dni(rng: random.Random) -> str:
    n = rng.randint(20_000_000, 45_999_999)
    return f"{n:,}".replace(",", ".")


def ars(amount: float) -> str:
    """Argentine number format: 12.345,50."""
    return f"{amount:,.2f}".replace(",", "#").replace(".", ",").replace("#", ".")


def sometimes(rng: random.Random, p: float, make):
    """make() with probability p, else None (the draw comes first, as in `x if r else y`)."""
    return make() if rng.random() < p else None


def hexid(rng: random.Random, n: int) -> str:
    return f"{rng.getrandbits(4 * n):0{n}x}"


def csv_bytes(header: list[str], rows: list[list[str]], delimiter: str, newline: str) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def pick(rng: random.Random, pool: list, k: int) -> list:
    """k distinct items of pool, removed from it (so no row carries two planted defects)."""
    chosen = rng.sample(pool, k)
    for item in chosen:
        pool.remove(item)
    return chosen


# ----------------------------------------------------------------------- customers


@dataclass
class Customer:
    id: str
    first: str
    last: str
    country: str
    document: str
    email: str
    phone: str  # E.164 digits without '+'
    birth: date | None
    instagram: str | None
    loyalty: str | None
    preferred: str
    consents: dict[str, tuple[str, datetime | None]]
    created: datetime
    updated: datetime

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def language(self) -> str:
        return "pt-BR" if self.country == "BR" else "es-AR"


def make_customer(rng: random.Random, n: int, used_emails: set[str]) -> Customer:
    br = rng.random() >= AR_SHARE
    first = rng.choice((BR_FIRST if br else AR_FIRST).split())
    last = rng.choice((BR_LAST if br else AR_LAST).split())
    user = ascii_fold(f"{first}.{last}").lower()
    domains = BR_DOMAINS if br else AR_DOMAINS
    email = f"{user}@{rng.choice(domains)}"
    while email in used_emails:
        email = f"{user}{rng.randint(1, 99)}@{rng.choice(domains)}"
    used_emails.add(email)
    if br:
        phone = f"55{rng.choice(DDDS)}9{rng.randint(6, 9)}{rng.randint(0, 9_999_999):07d}"
    else:
        phone = f"54911{rng.randint(2000, 6999)}{rng.randint(0, 9999):04d}"
    created = between(rng, datetime(2019, 1, 2, tzinfo=UTC), START)
    consents: dict[str, tuple[str, datetime | None]] = {}
    for topic in ("email", "whatsapp", "sms"):
        flag = rng.choices(["S", "N", ""], weights=[70, 25, 5])[0]
        at = between(rng, created, END) if flag and topic != "sms" and rng.random() < 0.8 else None
        consents[topic] = (flag, at)
    return Customer(
        id=f"C{n:06d}",
        first=first,
        last=last,
        country="BR" if br else "AR",
        document=cpf(rng) if br else dni(rng),
        email=email,
        phone=phone,
        birth=sometimes(rng, 0.9, lambda: date(1950, 1, 1) + timedelta(rng.randint(0, 19_700))),
        instagram=sometimes(rng, 0.4, lambda: f"{user}{rng.randint(1, 99)}"[:30]),
        loyalty=f"SOC-{rng.randint(100_000, 999_999)}" if (not br or rng.random() < 0.2) else None,
        preferred=rng.choice(PREFERRED),
        consents=consents,
        created=created,
        updated=between(rng, created, END),
    )


def make_customers(seed: int) -> list[Customer]:
    rng = random.Random(f"{seed}:customers")
    used: set[str] = set()
    return [make_customer(rng, 1001 + i, used) for i in range(N_CUSTOMERS)]


def phone_as_typed(rng: random.Random, c: Customer) -> str:
    """The phone as a CRM user typed it: local with punctuation, bare digits, or +55."""
    p = c.phone
    if c.country == "AR":
        return f"+54 9 11 {p[5:9]}-{p[9:]}"
    ddd, num = p[2:4], p[4:]
    return rng.choice(
        [f"({ddd}) {num[:5]}-{num[5:]}"] * 3 + [f"{ddd}{num}", f"+55 {ddd} {num[:5]}-{num[5:]}"]
    )


def email_as_typed(rng: random.Random, c: Customer) -> str:
    """Mostly as stored; sometimes capitalized with stray spaces (the mapping normalizes)."""
    if rng.random() < 0.06:
        user, _, domain = c.email.partition("@")
        return f" {user.title()}@{domain.capitalize()} "
    return c.email


# ----------------------------------------------------------------------- the plan


@dataclass
class Plan:
    """Which customers carry which planted CRM defect; who was deleted from the CRM."""

    bad_email: list[Customer]
    bad_phone: list[Customer]
    bad_country: list[Customer]
    rg_document: list[Customer]
    instagram_url: list[Customer]
    iso_created: list[Customer]
    duplicated: list[Customer]
    deleted: list[Customer]

    @property
    def planted(self) -> set[str]:
        groups = [self.bad_email, self.bad_phone, self.bad_country, self.rg_document]
        groups += [self.instagram_url, self.iso_created, self.duplicated, self.deleted]
        return {c.id for g in groups for c in g}


def make_plan(seed: int, customers: list[Customer]) -> Plan:
    rng = random.Random(f"{seed}:plan")
    pool = [c for c in customers if c.country == "BR"]
    with_instagram = [c for c in pool if c.instagram]
    instagram_url = pick(rng, with_instagram, 2)
    for c in instagram_url:
        pool.remove(c)
    return Plan(
        bad_email=pick(rng, pool, 3),
        bad_phone=pick(rng, pool, 3),
        bad_country=pick(rng, pool, 3),
        rg_document=pick(rng, pool, 2),
        instagram_url=instagram_url,
        iso_created=pick(rng, pool, 4),
        duplicated=pick(rng, pool, 2),
        deleted=pick(rng, pool, 2),
    )


def clean(customers: list[Customer], plan: Plan, country: str | None = None) -> list[Customer]:
    """Customers that carry no planted defect: the ones the channels' clean rows use."""
    out = [c for c in customers if c.id not in plan.planted]
    return [c for c in out if country is None or c.country == country]


# ----------------------------------------------------------------------- crm

CRM_HEADER = [
    "codigo_cliente",
    "nome_completo",
    "cpf_cnpj",
    "tipo_documento",
    "email",
    "celular",
    "data_nascimento",
    "pais",
    "idioma",
    "canal_preferido",
    "instagram",
    "cartao_fidelidade",
    "aceita_email",
    "data_aceite_email",
    "aceita_whatsapp",
    "data_aceite_whatsapp",
    "aceita_sms",
    "data_cadastro",
    "data_atualizacao",
]
LOCAL_MINUTE = "%d/%m/%Y %H:%M"


def crm_row(rng: random.Random, c: Customer) -> dict[str, str]:
    def stamp(ts: datetime | None) -> str:
        return local(ts, SAO_PAULO, LOCAL_MINUTE) if ts else ""

    handle = c.instagram or ""
    if handle and rng.random() < 0.3:
        handle = "@" + handle
    return {
        "codigo_cliente": c.id,
        "nome_completo": c.name,
        "cpf_cnpj": c.document,
        "tipo_documento": "cpf" if c.country == "BR" else "dni",
        "email": email_as_typed(rng, c),
        "celular": phone_as_typed(rng, c),
        "data_nascimento": c.birth.strftime("%d/%m/%Y") if c.birth else "",
        "pais": c.country,
        "idioma": c.language,
        "canal_preferido": c.preferred,
        "instagram": handle,
        "cartao_fidelidade": c.loyalty or "",
        "aceita_email": c.consents["email"][0],
        "data_aceite_email": stamp(c.consents["email"][1]),
        "aceita_whatsapp": c.consents["whatsapp"][0],
        "data_aceite_whatsapp": stamp(c.consents["whatsapp"][1]),
        "aceita_sms": c.consents["sms"][0],
        "data_cadastro": stamp(c.created),
        "data_atualizacao": stamp(c.updated),
    }


def plant_crm(rows: dict[str, dict[str, str]], plan: Plan) -> None:
    """The CRM's planted defects, each on its own customers (see DEFECTS.md)."""
    for c, bad in zip(
        plan.bad_email, ["{u}@gmail", "{u}@@hotmail.com", "{f} {l}@uol.com.br"], strict=True
    ):
        user = c.email.partition("@")[0]
        first, last = ascii_fold(c.first).lower(), ascii_fold(c.last).lower()
        rows[c.id]["email"] = bad.format(u=user, f=first, l=last)
    ddd0 = plan.bad_phone[0].phone[2:4]
    ddd1 = plan.bad_phone[1].phone[2:4]
    # pre-2016 eight-digit mobiles (8xxx-xxxx, before the leading 9 was added); note that
    # 7xxx-xxxx would still be valid (a radio-trunking range), so these start with 8
    old = ["8" + plan.bad_phone[0].phone[6:], "8" + plan.bad_phone[1].phone[6:]]
    rows[plan.bad_phone[0].id]["celular"] = f"({ddd0}) {old[0][:4]}-{old[0][4:]}"
    rows[plan.bad_phone[1].id]["celular"] = f"{ddd1} {old[1][:4]}-{old[1][4:]}"
    rows[plan.bad_phone[2].id]["celular"] = "0000000000"
    for c, country in zip(plan.bad_country, ["Brasil", "Brasil", "BRA"], strict=True):
        rows[c.id]["pais"] = country
    for i, c in enumerate(plan.rg_document):
        rows[c.id]["tipo_documento"] = "rg"
        rows[c.id]["cpf_cnpj"] = f"{23 + i}.{481 + i:03d}.{655 - i:03d}-{i + 3}"
    urls = ["instagram.com/{h}", "https://www.instagram.com/{h}/"]
    for c, url in zip(plan.instagram_url, urls, strict=True):
        rows[c.id]["instagram"] = url.format(h=c.instagram)
    for c in plan.iso_created:
        rows[c.id]["data_cadastro"] = local(c.created, SAO_PAULO, "%Y-%m-%d %H:%M:%S")


def write_crm(out: Path, seed: int, customers: list[Customer], plan: Plan) -> None:
    rng = random.Random(f"{seed}:crm")
    deleted = {c.id for c in plan.deleted}
    rows = {c.id: crm_row(rng, c) for c in customers if c.id not in deleted}
    plant_crm(rows, plan)
    lines = [[r[h] for h in CRM_HEADER] for r in rows.values()]
    # a second CRM instance was merged in: two customers come twice, with a later update
    for c in plan.duplicated:
        again = dict(rows[c.id])
        again["data_atualizacao"] = local(END, SAO_PAULO, LOCAL_MINUTE)
        lines.append([again[h] for h in CRM_HEADER])
    text = csv_bytes(CRM_HEADER, lines, ";", "\r\n")
    (out / "crm").mkdir(parents=True, exist_ok=True)
    (out / "crm" / "clientes.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))


# ----------------------------------------------------------------------- whatsapp

WA_TOPICS = ["segunda via de boleto", "status do pedido", "troca de tamanho", "cupom de desconto"]
WA_TOPICS += ["prazo de entrega", "cancelamento de pedido", "nota fiscal"]
WA_STATUS = ["Atendido"] * 4 + ["Encerrado"] * 3 + ["Pendente"] * 2 + ["Aberto"]


def conversation(rng: random.Random, n: int, c: Customer) -> list[dict[str, object]]:
    at = between(rng, START, END - timedelta(hours=3))
    status, topic = rng.choice(WA_STATUS), rng.choice(WA_TOPICS)
    agent = rng.choice(["bot-triagem", f"AG{rng.randint(1, 40):03d}"])
    msgs: list[dict[str, object]] = []
    for i in range(rng.randint(2, 6)):
        inbound = i % 2 == 0
        at += timedelta(seconds=rng.randint(20, 1800))
        msgs.append(
            {
                "id": "wamid.HBgN" + hexid(rng, 32).upper(),
                "wa_id": c.phone,
                "timestamp": str(int(at.timestamp())),
                "sentido": "recebida" if inbound else "enviada",
                "status": status,
                "conversa": f"conv-{n:06d}",
                "agente": None if inbound else agent,
                "assunto": topic,
            }
        )
    return msgs


def write_whatsapp(out: Path, seed: int, customers: list[Customer], plan: Plan) -> None:
    rng = random.Random(f"{seed}:whatsapp")
    people = clean(customers, plan, "BR")
    msgs: list[dict[str, object]] = []
    for n in range(1, 241):
        msgs.extend(conversation(rng, n, rng.choice(people)))
    msgs.sort(key=lambda m: (m["timestamp"], m["id"]))
    pool = list(range(len(msgs)))
    # planted: a platform upgrade added the status "Transferido" (bot -> human agent)
    for i in pick(rng, pool, 4):
        msgs[i]["status"] = "Transferido"
    # planted: webhook redelivery wrote three messages twice (at-least-once delivery)
    for i in sorted(pick(rng, pool, 3), reverse=True):
        msgs.insert(i + 1, dict(msgs[i]))
    text = "".join(json.dumps(m, ensure_ascii=False) + "\n" for m in msgs)
    (out / "whatsapp").mkdir(parents=True, exist_ok=True)
    (out / "whatsapp" / "messages.jsonl").write_bytes(text.encode("utf-8"))


# ----------------------------------------------------------------------- email

CAMPAIGNS = [
    ("CMP-2024-07-INVERNO", "Liquidação de inverno: até 50% off", datetime(2024, 7, 10, 13)),
    ("CMP-2024-08-PAIS", "Presentes para o Dia dos Pais", datetime(2024, 8, 1, 12)),
    ("CMP-2024-09-PRIMAVERA", "Nova coleção primavera", datetime(2024, 9, 20, 12)),
    ("CMP-2024-10-CRIANCAS", "Semana das crianças", datetime(2024, 10, 5, 13)),
    ("CMP-2024-11-BLACKFRIDAY", "Black Friday começou", datetime(2024, 11, 29, 9)),
    ("CMP-2024-12-NATAL", "Presentes de Natal com frete grátis", datetime(2024, 12, 10, 12)),
    ("CMP-2025-01-VERAO", "Verão 2025: lançamentos", datetime(2025, 1, 8, 12)),
]
EMAIL_HEADER = ["message_id", "customer_id", "email", "campaign_id", "subject", "sent_at"]
EMAIL_HEADER += ["status"]
EMAIL_STATUS = ["delivered"] * 12 + ["opened"] * 5 + ["sent"] * 2 + ["bounced"]


def delivery(rng: random.Random, c: Customer, campaign: tuple[str, str, datetime]) -> list[str]:
    cid, subject, at = campaign
    sent = at.replace(tzinfo=UTC) + timedelta(seconds=rng.randint(0, 5400))
    return [
        hexid(rng, 24),
        c.id,
        c.email,
        cid,
        subject,
        sent.strftime("%Y-%m-%dT%H:%M:%SZ"),
        rng.choice(EMAIL_STATUS),
    ]


def write_email(out: Path, seed: int, customers: list[Customer], plan: Plan) -> None:
    rng = random.Random(f"{seed}:email")
    opted_in = [c for c in clean(customers, plan) if c.consents["email"][0] == "S"]
    rows: list[list[str]] = []
    for campaign in CAMPAIGNS:
        for c in rng.sample(opted_in, 120):
            rows.append(delivery(rng, c, campaign))
    # planted: three deliveries to two customers the CRM deleted (LGPD erasure request);
    # the e-mail platform keeps its history, so their customer_id no longer resolves
    gone = plan.deleted
    for c, campaign in [(gone[0], CAMPAIGNS[0]), (gone[0], CAMPAIGNS[1]), (gone[1], CAMPAIGNS[1])]:
        rows.append(delivery(rng, c, campaign))
    rows.sort(key=lambda r: (r[5], r[0]))
    # The platform's exporter writes fields without quoting; every subject above is
    # comma-free. Planted: two order-confirmation e-mails whose subject has a comma, so
    # their lines have one column too many.
    lines = [",".join(r) for r in rows]
    for c, day in zip(rng.sample(opted_in, 2), [14, 21], strict=True):
        sent = datetime(2024, 10, day, 15, 2, 11, tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        subject = "Recebemos seu pedido, obrigado!"
        row = [hexid(rng, 24), c.id, c.email, "", subject, sent, "delivered"]
        lines.insert(rng.randint(1, len(lines)), ",".join(row))
    text = ",".join(EMAIL_HEADER) + "\n" + "".join(line + "\n" for line in lines)
    (out / "email").mkdir(parents=True, exist_ok=True)
    (out / "email" / "deliveries.csv").write_bytes(text.encode("utf-8"))


# ----------------------------------------------------------------------- call center

CALL_HEADER = ["Protocolo", "Código Cliente", "Telefone", "Data/Hora", "Duração (s)", "Agente"]
CALL_HEADER += ["Motivo", "Situação", "Tipo", "Caso"]
CALL_REASONS = ["Troca de produto", "Segunda via de boleto", "Reclamação de entrega"]
CALL_REASONS += ["Dúvida sobre pedido", "Cancelamento", "Devolução", "Cartão fidelidade"]
CALL_STATUS = ["Resolvido"] * 6 + ["Pendente"] * 2 + ["Em andamento", "Cancelado"]


def call_row(rng: random.Random, n: int, c: Customer | None) -> list[str]:
    day = between(rng, START, END - timedelta(days=1)).astimezone(SAO_PAULO)
    at = day.replace(hour=rng.randint(8, 19), minute=rng.randint(0, 59))
    if c is not None:
        phone = f"({c.phone[2:4]}) {c.phone[4:9]}-{c.phone[9:]}"
    else:  # unidentified caller: only the caller id
        phone = f"{rng.choice(DDDS)}9{rng.randint(6, 9)}{rng.randint(0, 9_999_999):07d}"
    return [
        f"{at:%Y%m%d}{n:05d}",
        c.id if c else "",
        phone,
        at.strftime(LOCAL_MINUTE),
        str(rng.randint(25, 1500)),
        f"AG{rng.randint(1, 40):03d}",
        rng.choice(CALL_REASONS),
        rng.choice(CALL_STATUS),
        rng.choice(["Receptivo"] * 6 + ["Ativo"]),
        f"CASO-{rng.randint(1, 99_999):07d}",
    ]


def write_call_center(out: Path, seed: int, customers: list[Customer], plan: Plan) -> None:
    rng = random.Random(f"{seed}:call_center")
    people = clean(customers, plan, "BR")
    rows = [
        call_row(rng, n, rng.choice(people) if rng.random() < 0.7 else None) for n in range(480)
    ]
    rows.sort(key=lambda r: r[0])
    pool = list(range(len(rows)))
    for i in pick(rng, pool, 2):  # planted: calls abandoned in the IVR carry no start time
        rows[i][3], rows[i][4] = "", "0"
    for i, bad in zip(pick(rng, pool, 2), ["-12", "-3"], strict=True):  # planted: clock step
        rows[i][4] = bad
    for i, bad in zip(pick(rng, pool, 2), ["02:15", "11:40"], strict=True):  # planted: mm:ss
        rows[i][4] = bad
    text = csv_bytes(CALL_HEADER, rows, ";", "\r\n")
    (out / "call_center").mkdir(parents=True, exist_ok=True)
    (out / "call_center" / "ligacoes.csv").write_bytes(text.encode("latin-1"))


# ----------------------------------------------------------------------- web and app

WEB_PAGES = ["/", "/busca", "/carrinho", "/checkout", "/minha-conta", "/ofertas"]
WEB_PAGES += [f"/produto/tenis-corrida-{n}" for n in (101, 102, 205)]
WEB_PAGES += [f"/produto/camiseta-basica-{n}" for n in (310, 311)]
APP_SCREENS = ["home", "busca", "produto", "carrinho", "checkout", "pedidos", "perfil"]


def write_parquet(path: Path, columns: dict[str, tuple[list, object]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({name: pa.array(values, type=t) for name, (values, t) in columns.items()})
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="zstd")


def write_web(out: Path, seed: int, customers: list[Customer], plan: Plan) -> None:
    import pyarrow as pa

    rng = random.Random(f"{seed}:web")
    people = clean(customers, plan, "BR")
    events = []
    for _ in range(1200):
        order = rng.random() < 0.15
        events.append(
            {
                "event_id": "w-" + hexid(rng, 16),
                "customer_id": rng.choice(people).id if order or rng.random() < 0.4 else None,
                "event_type": "order" if order else "page_view",
                "event_ts": between(rng, START, END) + timedelta(seconds=rng.randint(0, 59)),
                "page_path": "/checkout/confirmacao" if order else rng.choice(WEB_PAGES),
                "order_total": round(rng.uniform(49.9, 1899.9), 2) if order else None,
                "currency": "BRL" if order else None,
            }
        )
    events.sort(key=lambda e: (e["event_ts"], e["event_id"]))
    orders = [e for e in events if e["event_type"] == "order"]
    for e in rng.sample(orders, 2):  # planted: the legacy checkout writes the symbol
        e["currency"] = "R$"
    types = {
        "event_id": pa.string(),
        "customer_id": pa.string(),
        "event_type": pa.string(),
        "event_ts": pa.timestamp("ms", tz="UTC"),
        "page_path": pa.string(),
        "order_total": pa.float64(),
        "currency": pa.string(),
    }
    cols = {k: ([e[k] for e in events], t) for k, t in types.items()}
    write_parquet(out / "web" / "events.parquet", cols)


def write_app(out: Path, seed: int, customers: list[Customer], plan: Plan) -> None:
    import pyarrow as pa

    rng = random.Random(f"{seed}:app")
    people = clean(customers, plan)
    events = []
    for _ in range(600):
        c = rng.choice(people)
        buy = rng.random() < 0.1
        events.append(
            {
                "event_uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "user_id": c.id,
                "event_name": "purchase" if buy else "screen_view",
                "client_ts": between(rng, START, END) + timedelta(seconds=rng.randint(0, 59)),
                "screen": "checkout" if buy else rng.choice(APP_SCREENS),
                "value": round(rng.uniform(39.9, 999.9), 2) if buy else None,
                "currency": ("BRL" if c.country == "BR" else "ARS") if buy else None,
                "locale": c.language,
            }
        )
    events.sort(key=lambda e: (e["client_ts"], e["event_uuid"]))
    # planted: client-side time from phones whose clock was moved forward (game timers)
    for e, year in zip(rng.sample(events, 3), [2031, 2033, 2035], strict=True):
        e["client_ts"] = e["client_ts"].replace(year=year)
    types = {
        "event_uuid": pa.string(),
        "user_id": pa.string(),
        "event_name": pa.string(),
        "client_ts": pa.timestamp("ms", tz="America/Sao_Paulo"),
        "screen": pa.string(),
        "value": pa.float64(),
        "currency": pa.string(),
        "locale": pa.string(),
    }
    cols = {k: ([e[k] for e in events], t) for k, t in types.items()}
    write_parquet(out / "app" / "events.parquet", cols)


# ----------------------------------------------------------------------- store (AR)

STORE_HEADER = ["nro_ticket", "sucursal", "fecha", "tipo", "socio", "importe", "moneda"]
STORE_HEADER += ["cajero", "estado", "medio_pago"]
BRANCHES = [(3, "BA-PALERMO"), (4, "BA-CABALLITO"), (7, "CBA-CENTRO")]


def ticket(rng: random.Random, seq: dict[int, int], members: list[Customer]) -> list[str]:
    pv, branch = rng.choice(BRANCHES)
    seq[pv] += rng.randint(1, 40)
    kind = "DEVOLUCION" if rng.random() < 0.1 else "VENTA"
    amount = round(rng.uniform(4_500, 380_000), 2) * (-1 if kind == "DEVOLUCION" else 1)
    member = rng.choice(members) if rng.random() < 0.7 else None
    at = between(rng, START, END - timedelta(days=1)).astimezone(BUENOS_AIRES)
    at = at.replace(hour=rng.randint(10, 20), second=rng.randint(0, 59))
    return [
        f"{pv:04d}-{seq[pv]:08d}",
        branch,
        at.strftime("%d/%m/%Y %H:%M:%S"),
        kind,
        member.loyalty if member and member.loyalty else "",
        ars(amount),
        "ARS",
        f"CAJ{rng.randint(1, 12):02d}",
        "ANULADA" if rng.random() < 0.05 else "FINALIZADA",
        rng.choice(["EFECTIVO", "DEBITO", "CREDITO", "QR"]),
    ]


def write_store(out: Path, seed: int, customers: list[Customer], plan: Plan) -> None:
    rng = random.Random(f"{seed}:store")
    members = clean(customers, plan, "AR")
    seq = {pv: 10_000 for pv, _ in BRANCHES}
    rows = [ticket(rng, seq, members) for _ in range(420)]
    rows.sort(key=lambda r: r[0])
    for r in rng.sample(rows, 3):  # planted: exchanges, a ticket type added in November
        r[3] = "CAMBIO"
    # the POS runs on Windows: UTF-16 (little endian, with BOM), tab separated, CRLF;
    # planted: a firmware update added the medio_pago column, which no mapping reads
    text = csv_bytes(STORE_HEADER, rows, "\t", "\r\n")
    (out / "store").mkdir(parents=True, exist_ok=True)
    (out / "store" / "tickets.txt").write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))


# ----------------------------------------------------------------------- instagram

IG_TEXTS = ["Tem no tamanho 38?", "Amei essa coleção!", "Qual o prazo para o RJ?"]
IG_TEXTS += ["Meu pedido ainda não chegou", "Vocês entregam em Curitiba?", "Quero trocar"]
IG_TEXTS += ["Lindo demais 😍", "¿Tienen envío a Córdoba?", "Cupom não funcionou"]
IG_LONG = (
    "Olá, comprei um tênis no site há três semanas, o pedido aparece como entregue mas "
    "nunca recebi nada. Já liguei duas vezes na central, abri protocolo e ninguém me dá "
    "retorno. Preciso de uma solução urgente ou vou pedir o estorno no cartão. {n}"
)


def write_instagram(out: Path, seed: int, customers: list[Customer], plan: Plan) -> None:
    rng = random.Random(f"{seed}:instagram")
    handles = [c.instagram for c in clean(customers, plan) if c.instagram]
    handles += [f"perfil_{hexid(rng, 6)}" for _ in range(25)]  # followers who are no customers
    items = []
    for _ in range(180):
        kind = rng.choice(["comment", "comment", "message"])
        at = between(rng, START, END)
        thread = f"{'m' if kind == 'comment' else 't'}_{rng.randint(10**15, 10**16 - 1)}"
        items.append(
            {
                "id": str(rng.randint(17_840_000_000_000_000, 17_849_999_999_999_999)),
                "type": kind,
                "timestamp": at.strftime("%Y-%m-%dT%H:%M:%S+0000"),
                "from": {"username": rng.choice(handles), "id": str(rng.randint(10**15, 10**16))},
                "text": rng.choice(IG_TEXTS),
                "thread_id": thread,
            }
        )
    items.sort(key=lambda i: (i["timestamp"], i["id"]))
    messages = [i for i in items if i["type"] == "message"]
    for n, item in enumerate(rng.sample(messages, 2), start=1):  # planted: long complaints
        item["text"] = IG_LONG.format(n=f"Protocolo {n}{rng.randint(1000, 9999)}.")
    text = json.dumps(items, ensure_ascii=False, indent=2) + "\n"
    (out / "instagram").mkdir(parents=True, exist_ok=True)
    (out / "instagram" / "interactions.json").write_bytes(text.encode("utf-8"))


# ----------------------------------------------------------------------- main

WRITERS = [
    write_crm,
    write_whatsapp,
    write_email,
    write_call_center,
    write_web,
    write_app,
    write_store,
    write_instagram,
]


def generate(out: Path, seed: int = SEED) -> list[Path]:
    """Write every export under ``out``; return the files written, sorted."""
    out = Path(out)
    customers = make_customers(seed)
    plan = make_plan(seed, customers)
    for writer in WRITERS:
        writer(out, seed, customers, plan)
    return sorted(p for p in out.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE / "exports", help="output folder")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    for path in generate(args.out, args.seed):
        print(path)


if __name__ == "__main__":
    main()
