"""Write the retail example's channel exports, deterministically.

    python examples/retail/generate.py                        # rewrites examples/retail/exports/
    python examples/retail/generate.py --out DIR              # writes the same bytes elsewhere
    python examples/retail/generate.py --corrected --project DIR
        # a complete copy of the project (omnicontract.yaml, channels/, exports/) whose
        # exports have every planted defect fixed: it validates without a single finding

A Brazilian retailer with stores in Argentina: a CRM customer master and the exports of
seven contact channels, each in the shape its source system really produces. Every
defect listed in DEFECTS.md is planted here on purpose, in a known number, on rows that
are otherwise clean; every other row is clean, also across channels (every row resolves
to exactly one customer, with keys written alike on both sides of the join). Standard
library only, plus pyarrow for the two Parquet files. The same seed always gives the
same bytes.

The corrected copy is the same project drawn from the same random streams: each planted
value is replaced by the value it should have had, and each planted row that should not
exist (a duplicate, a delivery to an erased customer) is left out.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import shutil
import unicodedata
import uuid
from dataclasses import dataclass, field
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

N_CUSTOMERS = 300  # of which 2 are erased from the CRM (see Plan.deleted)
N_PROSPECTS = 3  # people the channels know and the CRM does not (see Plan.prospects)
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

# When people do things, by local hour (0-23): every channel has a daily rhythm, which is
# what lets OC-TIM-001 notice a channel whose clock is off by a few hours.
RETAIL_DAY = [1, 1, 1, 1, 1, 2, 4, 8, 14, 20, 24, 22, 18, 16, 17, 19, 21, 24, 26, 22, 14, 8, 4, 2]
OFFICE_DAY = [0] * 8 + RETAIL_DAY[8:22] + [0] * 2  # open 08:00-21:59
STORE_DAY = [0] * 10 + [6, 10, 14, 12, 9, 10, 13, 15, 14, 9, 5] + [0] * 3  # 10:00-20:59

# The flagship store's landline, typed by clerks into the mobile field of customers who
# had none (planted: OC-IDN-006); and the QA team's seed address on every campaign.
STORE_LANDLINE = "(11) 3061-4500"
SEED_ADDRESS = "teste@lojasexemplo.com.br"
PLACEHOLDER_EMAILS = ["naotem@gmail.com", "sememail@lojasexemplo.com.br"]


# ----------------------------------------------------------------------- helpers


def ascii_fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def between(rng: random.Random, lo: datetime, hi: datetime) -> datetime:
    """A whole-minute instant in [lo, hi]."""
    minutes = int((hi - lo).total_seconds() // 60)
    return lo + timedelta(minutes=rng.randint(0, minutes))


def at_local(
    rng: random.Random, weights: list[int], zone: ZoneInfo, lo: datetime = START, hi: datetime = END
) -> datetime:
    """An instant (UTC, whole second) on a day in [lo, hi), at a local hour drawn from weights."""
    day = lo.date() + timedelta(days=rng.randint(0, (hi - lo).days - 1))
    hour = rng.choices(range(24), weights)[0]
    minute, second = rng.randint(0, 59), rng.randint(0, 59)
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=zone).astimezone(UTC)


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


def br_mobile(rng: random.Random) -> str:
    """A Brazilian mobile as WhatsApp writes it: 55, area code, 9xxxx-xxxx (digits only)."""
    return f"55{rng.choice(DDDS)}9{rng.randint(6, 9)}{rng.randint(0, 9_999_999):07d}"


def typed_locally(phone: str) -> str:
    """A Brazilian number as a clerk types it: (11) 98765-4321."""
    ddd, num = phone[2:4], phone[4:]
    return f"({ddd}) {num[:5]}-{num[5:]}"


# ----------------------------------------------------------------------- customers


@dataclass
class Customer:
    id: str
    first: str
    last: str
    country: str
    document: str
    email: str
    phone: str  # E.164 digits without '+', as WhatsApp writes it
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

    def consent(self, topic: str) -> str:
        return self.consents[topic][0]


@dataclass
class Used:
    """Identity values already given out: every customer's keys are their own."""

    emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    documents: set[str] = field(default_factory=set)
    handles: set[str] = field(default_factory=set)
    loyalty: set[str] = field(default_factory=set)


def fresh(make, used: set[str]) -> str:
    value = make()
    while value in used:
        value = make()
    used.add(value)
    return value


def make_customer(rng: random.Random, n: int, used: Used, country: str | None = None) -> Customer:
    br = rng.random() >= AR_SHARE
    if country is not None:
        br = country == "BR"
    first = rng.choice((BR_FIRST if br else AR_FIRST).split())
    last = rng.choice((BR_LAST if br else AR_LAST).split())
    user = ascii_fold(f"{first}.{last}").lower()
    domains = BR_DOMAINS if br else AR_DOMAINS
    email = f"{user}@{rng.choice(domains)}"
    while email in used.emails:
        email = f"{user}{rng.randint(1, 99)}@{rng.choice(domains)}"
    used.emails.add(email)
    if br:
        phone = fresh(lambda: br_mobile(rng), used.phones)
    else:
        phone = fresh(
            lambda: f"54911{rng.randint(2000, 6999)}{rng.randint(0, 9999):04d}", used.phones
        )
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
        document=fresh(lambda: cpf(rng) if br else dni(rng), used.documents),
        email=email,
        phone=phone,
        birth=sometimes(rng, 0.9, lambda: date(1950, 1, 1) + timedelta(rng.randint(0, 19_700))),
        instagram=sometimes(
            rng, 0.4, lambda: fresh(lambda: f"{user}{rng.randint(1, 99)}"[:30], used.handles)
        ),
        loyalty=(
            fresh(lambda: f"SOC-{rng.randint(100_000, 999_999)}", used.loyalty)
            if (not br or rng.random() < 0.2)
            else None
        ),
        preferred=rng.choice(PREFERRED),
        consents=consents,
        created=created,
        updated=between(rng, created, END),
    )


def make_customers(seed: int) -> tuple[list[Customer], list[Customer], Used]:
    """The customers, and the prospects (ids after theirs) the CRM does not know yet."""
    rng = random.Random(f"{seed}:customers")
    used = Used()
    customers = [make_customer(rng, 1001 + i, used) for i in range(N_CUSTOMERS)]
    # id 1001 + N_CUSTOMERS is the second record of Plan.twin
    first = 1002 + N_CUSTOMERS
    prospects = [make_customer(rng, first + i, used, "BR") for i in range(N_PROSPECTS)]
    for p in prospects:  # they wrote or called, and agreed to hear back on WhatsApp
        p.consents["whatsapp"] = ("S", None)
    return customers, prospects, used


def email_as_typed(rng: random.Random, c: Customer) -> str:
    """Mostly as stored; sometimes capitalized with stray spaces (the mapping normalizes)."""
    if rng.random() < 0.06:
        user, _, domain = c.email.partition("@")
        return f" {user.title()}@{domain.capitalize()} "
    return c.email


# ----------------------------------------------------------------------- the plan


@dataclass
class Escalation:
    """A WhatsApp conversation that a call center agent picked up, under the same case id."""

    customer: Customer  # who wrote on WhatsApp
    conversation: str  # conv-000245: the WhatsApp conversation, and the call's case id
    opened: datetime  # the conversation's first message (UTC)
    called: datetime  # the call that resolved it (UTC)
    caller: Customer  # who is on the call (the same customer, except in Plan.stitched)


@dataclass
class Plan:
    """Which customers carry which planted defect. Every customer named here is kept out
    of the channels' clean rows; the rows the plan adds are the only ones they have."""

    # per-feed defects of the CRM export
    bad_email: list[Customer]
    bad_phone: list[Customer]
    bad_country: list[Customer]
    rg_document: list[Customer]
    instagram_url: list[Customer]
    iso_created: list[Customer]
    duplicated: list[Customer]
    deleted: list[Customer]  # erased from the CRM (LGPD); the e-mail platform kept history
    # cross-channel blockers
    legacy_phone: list[Customer]  # CRM phone typed locally; [0] on WhatsApp, [1] calls twice
    handle_at: Customer  # CRM handle with a leading '@'; comments twice on Instagram
    twin: Customer  # registered twice in the CRM; writes on WhatsApp
    store_phone: list[Customer]  # CRM phone is the store's landline
    placeholder_email: list[Customer]  # CRM e-mail is a placeholder
    prospects: list[Customer]  # not in the CRM: [0] writes on WhatsApp, [1:] call
    renamed: Customer  # changed Instagram handle; the CRM has the old one
    new_handle: str
    changed_mobile: Customer  # calls from a new number the CRM does not have yet
    new_phone: str
    email_optout: list[Customer]  # opted out in the CRM in December; the platform missed it
    wa_optout: list[Customer]  # opted out of WhatsApp; got a cart reminder anyway
    wa_reminders: list[datetime]
    escalations: list[Escalation]  # resolved by a call a little after the conversation opened
    stitched: Escalation  # the agent typed another customer's conversation id as the case

    @property
    def planted(self) -> set[str]:
        groups = [self.bad_email, self.bad_phone, self.bad_country, self.rg_document]
        groups += [self.instagram_url, self.iso_created, self.duplicated, self.deleted]
        groups += [self.legacy_phone, self.store_phone, self.placeholder_email, self.prospects]
        groups += [self.email_optout, self.wa_optout]
        groups += [[self.handle_at, self.twin, self.renamed, self.changed_mobile]]
        groups += [[e.customer for e in self.escalations] + [e.caller for e in self.escalations]]
        groups += [[self.stitched.customer, self.stitched.caller]]
        return {c.id for g in groups for c in g}

    @property
    def twin_id(self) -> str:
        return f"C{1001 + N_CUSTOMERS:06d}"


# WhatsApp conversations of the plan, numbered after the 240 clean ones
CONV_LEGACY, CONV_TWIN, CONV_PROSPECT, CONV_STITCHED = 241, 242, 243, 244
CONV_ESCALATED = [245, 246]
CONV_REMINDERS = [247, 248]


def conv_id(n: int) -> str:
    return f"conv-{n:06d}"


def make_plan(seed: int, customers: list[Customer], prospects: list[Customer], used: Used) -> Plan:
    rng = random.Random(f"{seed}:plan")
    pool = [c for c in customers if c.country == "BR"]
    with_instagram = [c for c in pool if c.instagram]
    instagram_url = pick(rng, with_instagram, 2)
    for c in instagram_url:
        pool.remove(c)
    per_feed = {
        "bad_email": pick(rng, pool, 3),
        "bad_phone": pick(rng, pool, 3),
        "bad_country": pick(rng, pool, 3),
        "rg_document": pick(rng, pool, 2),
        "instagram_url": instagram_url,
        "iso_created": pick(rng, pool, 4),
        "duplicated": pick(rng, pool, 2),
        "deleted": pick(rng, pool, 2),
    }

    def wa_ok(c: Customer) -> bool:
        return c.consent("whatsapp") != "N"

    def take(k: int, ok=lambda c: True) -> list[Customer]:
        chosen = rng.sample([c for c in pool if ok(c)], k)
        for c in chosen:
            pool.remove(c)
        return chosen

    legacy_phone = take(2, wa_ok)
    [handle_at] = take(1, lambda c: c.instagram is not None)
    [twin] = take(1, lambda c: wa_ok(c) and not c.instagram and not c.loyalty)
    store_phone = take(4)
    placeholder_email = take(2)
    [renamed] = take(1, lambda c: c.instagram is not None)
    new_handle = fresh(lambda: f"{renamed.instagram}.oficial"[:30], used.handles)
    [changed_mobile] = take(1)
    new_phone = fresh(lambda: br_mobile(rng), used.phones)
    email_optout = take(3, lambda c: c.consent("email") == "S")
    last_campaign = campaign_window(CAMPAIGNS[-1])[0]
    for c in email_optout:  # the call center recorded the opt-out in the CRM in December
        at = between(rng, datetime(2024, 12, 12, tzinfo=UTC), last_campaign - timedelta(hours=12))
        c.consents["email"] = ("N", at)
        c.updated = max(c.updated, at)
    wa_optout = take(2, lambda c: c.consent("whatsapp") == "N")
    reminders = []
    for c in wa_optout:
        opted_out = between(
            rng, datetime(2024, 8, 1, tzinfo=UTC), datetime(2024, 10, 31, tzinfo=UTC)
        )
        c.consents["whatsapp"] = ("N", opted_out)
        c.updated = max(c.updated, opted_out)
        reminders.append(
            at_local(rng, RETAIL_DAY, SAO_PAULO, datetime(2024, 11, 1, tzinfo=UTC), END)
        )

    def escalation(n: int, c: Customer, caller: Customer) -> Escalation:
        # the call comes 40-150 minutes after the conversation opened, in office hours
        opened = at_local(rng, OFFICE_DAY[:18] + [0] * 6, SAO_PAULO)
        called = opened + timedelta(minutes=rng.randint(40, 150))
        return Escalation(c, conv_id(n), opened, called, caller)

    escalations = [escalation(n, c, c) for n, c in zip(CONV_ESCALATED, take(2, wa_ok), strict=True)]
    owner, caller = take(2, wa_ok)
    stitched = escalation(CONV_STITCHED, owner, caller)
    return Plan(
        **per_feed,
        legacy_phone=legacy_phone,
        handle_at=handle_at,
        twin=twin,
        store_phone=store_phone,
        placeholder_email=placeholder_email,
        prospects=prospects,
        renamed=renamed,
        new_handle=new_handle,
        changed_mobile=changed_mobile,
        new_phone=new_phone,
        email_optout=email_optout,
        wa_optout=wa_optout,
        wa_reminders=reminders,
        escalations=escalations,
        stitched=stitched,
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


def crm_phone(c: Customer) -> str:
    """Brazilian mobiles as the CRM's WhatsApp integration stores them (5511987654321);
    Argentine ones as the stores in Buenos Aires type them (+54 9 11 2345-6789)."""
    if c.country == "AR":
        return f"+54 9 11 {c.phone[5:9]}-{c.phone[9:]}"
    return c.phone


def crm_row(rng: random.Random, c: Customer, corrected: bool) -> dict[str, str]:
    def stamp(ts: datetime | None) -> str:
        return local(ts, SAO_PAULO, LOCAL_MINUTE) if ts else ""

    typed = email_as_typed(rng, c)
    return {
        "codigo_cliente": c.id,
        "nome_completo": c.name,
        "cpf_cnpj": c.document,
        "tipo_documento": "cpf" if c.country == "BR" else "dni",
        "email": c.email if corrected else typed,
        "celular": crm_phone(c),
        "data_nascimento": c.birth.strftime("%d/%m/%Y") if c.birth else "",
        "pais": c.country,
        "idioma": c.language,
        "canal_preferido": c.preferred,
        "instagram": c.instagram or "",
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
    # the legacy e-commerce platform never checked CPF check digits: two were mistyped
    for c in plan.iso_created[:2]:
        cpf = rows[c.id]["cpf_cnpj"]
        rows[c.id]["cpf_cnpj"] = cpf[:-1] + str((int(cpf[-1]) + 1) % 10)
    # cross-channel blockers (see DEFECTS.md, "Across channels")
    rows[plan.legacy_phone[0].id]["celular"] = typed_locally(plan.legacy_phone[0].phone)
    phone = plan.legacy_phone[1].phone
    rows[plan.legacy_phone[1].id]["celular"] = f"{phone[2:4]} {phone[4:9]}-{phone[9:]}"
    rows[plan.handle_at.id]["instagram"] = "@" + (plan.handle_at.instagram or "")
    for c in plan.store_phone:
        rows[c.id]["celular"] = STORE_LANDLINE
    for c, placeholder in zip(plan.placeholder_email, PLACEHOLDER_EMAILS, strict=True):
        rows[c.id]["email"] = placeholder
    # two different people with one address: the second customer with a wrong country
    # was registered with the first one's e-mail (a relative's, given at the counter)
    rows[plan.bad_country[1].id]["email"] = rows[plan.bad_country[0].id]["email"]


def write_crm(out: Path, seed: int, customers: list[Customer], plan: Plan, corrected: bool) -> None:
    rng = random.Random(f"{seed}:crm")
    everyone = customers + plan.prospects
    rows = {c.id: crm_row(rng, c, corrected) for c in everyone}
    # the same person registered a second time, at a store counter, a year later
    twin = dict(crm_row(rng, plan.twin, corrected))
    created = between(rng, min(plan.twin.created + timedelta(days=365), START), START)
    twin |= {
        "codigo_cliente": plan.twin_id,
        "data_cadastro": local(created, SAO_PAULO, LOCAL_MINUTE),
        "data_atualizacao": local(created, SAO_PAULO, LOCAL_MINUTE),
        "canal_preferido": "Loja",
    }
    for c in plan.deleted:  # erased on the customer's request (LGPD)
        del rows[c.id]
    if corrected:
        # the CRM knows the prospects, has the new handle and number, and one record per person
        rows[plan.renamed.id]["instagram"] = plan.new_handle
        rows[plan.changed_mobile.id]["celular"] = plan.new_phone
        lines = [[r[h] for h in CRM_HEADER] for r in rows.values()]
    else:
        for p in plan.prospects:
            del rows[p.id]
        plant_crm(rows, plan)
        rows[plan.twin_id] = twin
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


def conversation(
    rng: random.Random,
    conv: str,
    phone: str,
    *,
    at: datetime | None = None,
    size: int | None = None,
    status: str | None = None,
) -> list[dict[str, object]]:
    """One conversation: the customer writes first, an agent (or the bot) answers."""
    at = at_local(rng, RETAIL_DAY, SAO_PAULO) if at is None else at
    status = rng.choice(WA_STATUS) if status is None else status
    topic = rng.choice(WA_TOPICS)
    agent = rng.choice(["bot-triagem", f"AG{rng.randint(1, 40):03d}"])
    msgs: list[dict[str, object]] = []
    for i in range(rng.randint(2, 6) if size is None else size):
        inbound = i % 2 == 0
        msgs.append(
            {
                "id": "wamid.HBgN" + hexid(rng, 32).upper(),
                "wa_id": phone,
                "timestamp": str(int(at.timestamp())),
                "sentido": "recebida" if inbound else "enviada",
                "status": status,
                "conversa": conv,
                "agente": None if inbound else agent,
                "assunto": topic,
                "modelo_mensagem": None,  # the approved template of a business-initiated message
            }
        )
        at += timedelta(seconds=rng.randint(20, 1800))
    return msgs


CONV_CALLBACKS = range(249, 261)  # customers who asked on WhatsApp to be called back


def callbacks(
    seed: int, customers: list[Customer], plan: Plan
) -> list[tuple[Customer, list[dict[str, object]]]]:
    """Call-back requests: the customer asks on WhatsApp, the bot confirms ("we will call
    you in a minute") and the call center calls one to three minutes later, quoting the
    confirmation's message id. Drawn from their own random stream, so the same on every
    call and the same for the WhatsApp and call-center writers."""
    rng = random.Random(f"{seed}:callbacks")
    people = [c for c in clean(customers, plan, "BR") if c.consent("whatsapp") != "N"]
    out = []
    for n, c in zip(CONV_CALLBACKS, rng.sample(people, len(CONV_CALLBACKS)), strict=True):
        at = at_local(rng, OFFICE_DAY, SAO_PAULO, hi=END - timedelta(days=1))
        out.append((c, conversation(rng, conv_id(n), c.phone, at=at, size=2, status="Atendido")))
    return out


def write_whatsapp(
    out: Path, seed: int, customers: list[Customer], plan: Plan, corrected: bool
) -> None:
    rng = random.Random(f"{seed}:whatsapp")
    # customers who have not opted out of WhatsApp (replies are outbound messages too)
    people = [c for c in clean(customers, plan, "BR") if c.consent("whatsapp") != "N"]
    msgs: list[dict[str, object]] = []
    for n in range(1, 241):
        msgs.extend(conversation(rng, conv_id(n), rng.choice(people).phone))
    clean_ids = {m["id"] for m in msgs}
    # the plan's conversations, each an ordinary conversation of a known size
    legacy, twin, prospect = plan.legacy_phone[0], plan.twin, plan.prospects[0]
    msgs += conversation(rng, conv_id(CONV_LEGACY), legacy.phone, size=4, status="Atendido")
    msgs += conversation(rng, conv_id(CONV_TWIN), twin.phone, size=3, status="Encerrado")
    msgs += conversation(rng, conv_id(CONV_PROSPECT), prospect.phone, size=3, status="Pendente")
    s = plan.stitched
    msgs += conversation(
        rng, s.conversation, s.customer.phone, at=s.opened, size=3, status="Atendido"
    )
    for e in plan.escalations:  # still open on WhatsApp: the call center resolved them
        msgs += conversation(
            rng, e.conversation, e.customer.phone, at=e.opened, size=2, status="Aberto"
        )
    # planted: the cart-abandonment reminder (an outbound template message) went to two
    # customers who had opted out of WhatsApp
    reminders = []
    for n, c, at in zip(CONV_REMINDERS, plan.wa_optout, plan.wa_reminders, strict=True):
        [m] = conversation(rng, conv_id(n), c.phone, at=at, size=1, status="Encerrado")
        m |= {"sentido": "enviada", "agente": "bot-campanhas", "assunto": "carrinho abandonado"}
        m |= {"modelo_mensagem": "carrinho_abandonado"}  # a marketing template: consent applies
        reminders.append(m)
    if not corrected:
        msgs += reminders
    for _c, asked in callbacks(seed, customers, plan):
        msgs += asked
    msgs.sort(key=lambda m: (m["timestamp"], m["id"]))
    pool = [i for i, m in enumerate(msgs) if m["id"] in clean_ids]
    # planted: a platform upgrade added the status "Transferido" (bot -> human agent)
    for i in pick(rng, pool, 4):
        if not corrected:
            msgs[i]["status"] = "Transferido"
    # planted: webhook redelivery wrote three messages twice (at-least-once delivery)
    for i in sorted(pick(rng, pool, 3), reverse=True):
        if not corrected:
            msgs.insert(i + 1, dict(msgs[i]))
    text = "".join(json.dumps(m, ensure_ascii=False) + "\n" for m in msgs)
    (out / "whatsapp").mkdir(parents=True, exist_ok=True)
    (out / "whatsapp" / "messages.jsonl").write_bytes(text.encode("utf-8"))


# ----------------------------------------------------------------------- email

# (campaign, subject, first send in São Paulo time, minutes the platform takes to send all)
CAMPAIGNS = [
    ("CMP-2024-07-INVERNO", "Liquidação de inverno: até 50% off", datetime(2024, 7, 10, 10), 180),
    ("CMP-2024-08-PAIS", "Presentes para o Dia dos Pais", datetime(2024, 8, 1, 18), 150),
    ("CMP-2024-09-PRIMAVERA", "Nova coleção primavera", datetime(2024, 9, 20, 11), 240),
    ("CMP-2024-10-CRIANCAS", "Semana das crianças", datetime(2024, 10, 5, 9), 200),
    ("CMP-2024-11-BLACKFRIDAY", "Black Friday começou", datetime(2024, 11, 29, 8), 300),
    ("CMP-2024-12-NATAL", "Presentes de Natal com frete grátis", datetime(2024, 12, 10, 17), 180),
    ("CMP-2025-01-VERAO", "Verão 2025: lançamentos", datetime(2025, 1, 8, 10), 240),
]
EMAIL_HEADER = ["message_id", "customer_id", "email", "campaign_id", "subject", "sent_at"]
EMAIL_HEADER += ["status"]
EMAIL_STATUS = ["delivered"] * 12 + ["opened"] * 5 + ["sent"] * 2 + ["bounced"]
Campaign = tuple[str, str, datetime, int]


def campaign_window(campaign: Campaign) -> tuple[datetime, datetime]:
    _cid, _subject, first, minutes = campaign
    start = first.replace(tzinfo=SAO_PAULO).astimezone(UTC)
    return start, start + timedelta(minutes=minutes)


def delivery(rng: random.Random, cid: str, email: str, campaign: Campaign) -> list[str]:
    start, end = campaign_window(campaign)
    sent = start + timedelta(seconds=rng.randint(0, int((end - start).total_seconds())))
    return [
        hexid(rng, 24),
        cid,
        email,
        campaign[0],
        campaign[1],
        sent.strftime("%Y-%m-%dT%H:%M:%SZ"),
        rng.choice(EMAIL_STATUS),
    ]


def may_email(c: Customer, campaign: Campaign) -> bool:
    """Opted in, or opted out only after the campaign was sent."""
    flag, at = c.consents["email"]
    return flag == "S" or (flag == "N" and at is not None and at > campaign_window(campaign)[1])


def write_email(
    out: Path, seed: int, customers: list[Customer], plan: Plan, corrected: bool
) -> None:
    rng = random.Random(f"{seed}:email")
    people = clean(customers, plan)
    rows: list[list[str]] = []
    for campaign in CAMPAIGNS:
        for c in rng.sample([c for c in people if may_email(c, campaign)], 120):
            rows.append(delivery(rng, c.id, c.email, campaign))
    planted: list[list[str]] = []
    # three deliveries to two customers the CRM erased (LGPD request); the e-mail
    # platform kept their history, so their customer_id no longer resolves
    gone = plan.deleted
    for c, campaign in [(gone[0], CAMPAIGNS[0]), (gone[0], CAMPAIGNS[1]), (gone[1], CAMPAIGNS[1])]:
        planted.append(delivery(rng, c.id, c.email, campaign))
    # the QA team's seed address receives every campaign since November
    for campaign in CAMPAIGNS[-3:]:
        planted.append(delivery(rng, "", SEED_ADDRESS, campaign))
    # the December opt-outs never reached the platform: January's campaign went to them
    for c in plan.email_optout:
        planted.append(delivery(rng, c.id, c.email, CAMPAIGNS[-1]))
    # the October campaign went to two customers whose CRM flag says N with no date (an
    # opt-out taken at a store counter, whose form records no date): whether they had
    # opted out before the campaign cannot be told
    undated = [c for c in people if c.consents["email"] == ("N", None)]
    rng_undated = random.Random(f"{seed}:email-undated")
    for c in rng_undated.sample(undated, 2):
        planted.append(delivery(rng_undated, c.id, c.email, CAMPAIGNS[0]))
    # two deliveries of a list imported by hand keep the addresses as typed, capitals and
    # all, although the platform promises lower case (the binding declares it)
    if not corrected:
        for row in random.Random(f"{seed}:email-typed").sample(rows, 2):
            local, _, domain = row[2].partition("@")
            row[2] = local.title() + "@" + domain.upper()
        rows += planted
    rows.sort(key=lambda r: (r[5], r[0]))
    # The platform's exporter writes fields without quoting; every subject above is
    # comma-free. Planted: two order-confirmation e-mails whose subject has a comma, so
    # their lines have one column too many (the corrected exporter quotes them).
    lines = [",".join(r) for r in rows]
    # (order confirmations are transactional, but the consent check cannot tell them from
    # a campaign: they go to opted-in customers here)
    opted_in = [c for c in people if c.consent("email") == "S"]
    for c, day in zip(rng.sample(opted_in, 2), [14, 21], strict=True):
        sent = datetime(2024, 10, day, 15, 2, 11, tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        subject = "Recebemos seu pedido, obrigado!"
        row = [hexid(rng, 24), c.id, c.email, "", subject, sent, "delivered"]
        line = csv_bytes(row, [], ",", "") if corrected else ",".join(row)
        lines.insert(rng.randint(1, len(lines)), line)
    text = ",".join(EMAIL_HEADER) + "\n" + "".join(line + "\n" for line in lines)
    (out / "email").mkdir(parents=True, exist_ok=True)
    (out / "email" / "deliveries.csv").write_bytes(text.encode("utf-8"))
    write_subscribers(out, customers, plan, corrected)


def write_subscribers(out: Path, customers: list[Customer], plan: Plan, corrected: bool) -> None:
    """The platform's subscriber list, synced from the CRM: everyone who ever answered the
    e-mail consent question, with the platform's own state."""
    left_out = {c.id for c in plan.deleted + plan.bad_email + plan.placeholder_email}
    left_out |= {c.id for c in plan.bad_country[:2]}
    left_out.add(plan.twin.id)
    missed = {c.id for c in plan.email_optout}
    rows = []
    for c in customers:
        flag = c.consent("email")
        if c.id in left_out or not flag:
            continue
        if c.id in missed and not corrected:
            flag = "S"  # planted: the opt-out never reached the platform
        rows.append([c.id, c.email, "subscribed" if flag == "S" else "unsubscribed"])
    text = csv_bytes(["external_id", "email", "status"], rows, ",", "\n")
    (out / "email" / "subscribers.csv").write_bytes(text.encode("utf-8"))


# ----------------------------------------------------------------------- call center

CALL_HEADER = ["Protocolo", "Código Cliente", "Telefone", "Data/Hora", "Duração (s)", "Agente"]
CALL_HEADER += ["Motivo", "Situação", "Tipo", "Caso", "Msg WhatsApp"]
CALL_REASONS = ["Troca de produto", "Segunda via de boleto", "Reclamação de entrega"]
CALL_REASONS += ["Dúvida sobre pedido", "Cancelamento", "Devolução", "Cartão fidelidade"]
CALL_STATUS = ["Resolvido"] * 6 + ["Pendente"] * 2 + ["Em andamento", "Cancelado"]


@dataclass
class Call:
    at: datetime  # UTC
    customer_id: str
    phone: str
    case: str
    status: str | None = None
    kind: str | None = None
    wa_message: str = ""  # the WhatsApp message that asked for this call-back


def call_row(rng: random.Random, n: int, call: Call, corrected: bool) -> list[str]:
    # The suite's export is documented as UTC, and the binding says so. Planted: it
    # writes the telephony server's local time (São Paulo) instead.
    written = call.at.astimezone(UTC if corrected else SAO_PAULO)
    return [
        f"{call.at.astimezone(SAO_PAULO):%Y%m%d}{n:05d}",
        call.customer_id,
        call.phone,
        written.strftime(LOCAL_MINUTE),
        str(rng.randint(25, 1500)),
        f"AG{rng.randint(1, 40):03d}",
        rng.choice(CALL_REASONS),
        call.status or rng.choice(CALL_STATUS),
        call.kind or rng.choice(["Receptivo"] * 6 + ["Ativo"]),
        call.case,
        call.wa_message,
    ]


def callback_rows(
    seed: int, customers: list[Customer], plan: Plan, corrected: bool
) -> list[list[str]]:
    """The calls back, each quoting the WhatsApp confirmation that promised it. Planted:
    two more quote a message id from the marketing team's test number, which the
    WhatsApp export does not have (the corrected copy leaves them empty)."""
    rng = random.Random(f"{seed}:callback-calls")
    calls = []
    for k, (c, (_asked, confirmed)) in enumerate(callbacks(seed, customers, plan)):
        at = datetime.fromtimestamp(int(str(confirmed["timestamp"])), UTC)
        at += timedelta(seconds=rng.randint(60, 180))
        case = f"CASO-{40_000 + k:07d}"
        calls.append(Call(at, c.id, c.phone, case, "Resolvido", "Ativo", str(confirmed["id"])))
    for k, (c, _msgs) in enumerate(callbacks(seed, customers, plan)[:2]):
        at = at_local(rng, OFFICE_DAY, SAO_PAULO, hi=END - timedelta(days=1))
        fake = "" if corrected else "wamid.HBgNTESTE" + hexid(rng, 24).upper()
        calls.append(Call(at, c.id, c.phone, f"CASO-{40_100 + k:07d}", "Resolvido", "Ativo", fake))
    return [call_row(rng, 900 + n, call, corrected) for n, call in enumerate(calls)]


def write_call_center(
    out: Path, seed: int, customers: list[Customer], plan: Plan, corrected: bool
) -> None:
    rng = random.Random(f"{seed}:call_center")
    people = clean(customers, plan, "BR")
    calls = []
    for n in range(480):
        c = rng.choice(people)
        at = at_local(rng, OFFICE_DAY, SAO_PAULO, hi=END - timedelta(days=1))
        # the IVR recognizes most callers and fills in the customer code; the others are
        # resolved later from the caller id alone
        cid = c.id if rng.random() < 0.7 else ""
        calls.append(Call(at, cid, c.phone, f"CASO-{20_000 + 7 * n + rng.randint(0, 6):07d}"))
    n_clean = len(calls)

    def office() -> datetime:
        return at_local(rng, OFFICE_DAY, SAO_PAULO, hi=END - timedelta(days=1))

    def case() -> str:
        return f"CASO-{30_000 + rng.randint(0, 9_999):07d}"

    legacy = plan.legacy_phone[1]
    calls += [Call(office(), legacy.id, legacy.phone, case()) for _ in range(2)]
    calls += [Call(office(), "", p.phone, case()) for p in plan.prospects[1:]]
    moved = plan.changed_mobile
    calls += [Call(office(), moved.id, plan.new_phone, case()) for _ in range(2)]
    for e in plan.escalations:  # the agent calls back and solves it: same case id
        calls.append(
            Call(e.called, e.caller.id, e.caller.phone, e.conversation, "Resolvido", "Ativo")
        )
    # planted: the agent typed the conversation id of another customer's WhatsApp case
    s = plan.stitched
    own_case = case()
    stitched = s.conversation if not corrected else own_case
    calls.append(Call(s.called, s.caller.id, s.caller.phone, stitched, "Pendente", "Receptivo"))

    rows = [call_row(rng, n, call, corrected) for n, call in enumerate(calls)]
    clean_protocols = {r[0] for r in rows[:n_clean]}
    rows += callback_rows(seed, customers, plan, corrected)
    rows.sort(key=lambda r: r[0])
    pool = [i for i, r in enumerate(rows) if r[0] in clean_protocols]
    seconds = {i: rows[i][4] for i in pool}
    for i in pick(rng, pool, 2):  # planted: calls abandoned in the IVR carry no start time
        if not corrected:
            rows[i][3], rows[i][4] = "", "0"
    for i, bad in zip(pick(rng, pool, 2), ["-12", "-3"], strict=True):  # planted: clock step
        rows[i][4] = seconds[i] if corrected else bad
    for i, bad in zip(pick(rng, pool, 2), ["02:15", "11:40"], strict=True):  # planted: mm:ss
        rows[i][4] = seconds[i] if corrected else bad
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


def write_web(out: Path, seed: int, customers: list[Customer], plan: Plan, corrected: bool) -> None:
    import pyarrow as pa

    rng = random.Random(f"{seed}:web")
    people = clean(customers, plan, "BR")
    events = []
    # the export holds the events of logged-in sessions (anonymous traffic stays in the
    # analytics tool), so every event carries the customer id
    for _ in range(1200):
        order = rng.random() < 0.15
        events.append(
            {
                "event_id": "w-" + hexid(rng, 16),
                "customer_id": rng.choice(people).id,
                "event_type": "order" if order else "page_view",
                "event_ts": at_local(rng, RETAIL_DAY, SAO_PAULO),
                "page_path": "/checkout/confirmacao" if order else rng.choice(WEB_PAGES),
                "order_total": round(rng.uniform(49.9, 1899.9), 2) if order else None,
                "currency": "BRL" if order else None,
            }
        )
    events.sort(key=lambda e: (e["event_ts"], e["event_id"]))
    orders = [e for e in events if e["event_type"] == "order"]
    for e in pick(rng, orders, 2):  # planted: the legacy checkout writes the symbol
        if not corrected:
            e["currency"] = "R$"
    # planted: the confirmation page carries the tracking tag twice (tag manager and
    # hard-coded), so three orders were recorded twice, under different event ids
    for e in pick(rng, orders, 3):
        again = dict(e, event_id="w-" + hexid(rng, 16))
        if not corrected:
            events.insert(events.index(e) + 1, again)
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


def write_app(out: Path, seed: int, customers: list[Customer], plan: Plan, corrected: bool) -> None:
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
                "client_ts": at_local(rng, RETAIL_DAY, SAO_PAULO),
                "screen": "checkout" if buy else rng.choice(APP_SCREENS),
                "value": round(rng.uniform(39.9, 999.9), 2) if buy else None,
                "currency": ("BRL" if c.country == "BR" else "ARS") if buy else None,
                "locale": c.language,
            }
        )
    events.sort(key=lambda e: (e["client_ts"], e["event_uuid"]))
    # planted: client-side time from phones whose clock was moved forward (game timers)
    for e, year in zip(rng.sample(events, 3), [2031, 2033, 2035], strict=True):
        if not corrected:
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
    # members-only prices: the cashier asks for the loyalty card on every ticket
    member = rng.choice(members)
    at = at_local(rng, STORE_DAY, BUENOS_AIRES, hi=END - timedelta(days=1))
    return [
        f"{pv:04d}-{seq[pv]:08d}",
        branch,
        local(at, BUENOS_AIRES, "%d/%m/%Y %H:%M:%S"),
        kind,
        member.loyalty or "",
        ars(amount),
        "ARS",
        f"CAJ{rng.randint(1, 12):02d}",
        "ANULADA" if rng.random() < 0.05 else "FINALIZADA",
        rng.choice(["EFECTIVO", "DEBITO", "CREDITO", "QR"]),
    ]


def write_store(
    out: Path, seed: int, customers: list[Customer], plan: Plan, corrected: bool
) -> None:
    rng = random.Random(f"{seed}:store")
    members = clean(customers, plan, "AR")
    seq = {pv: 10_000 for pv, _ in BRANCHES}
    rows = [ticket(rng, seq, members) for _ in range(420)]
    rows.sort(key=lambda r: r[0])
    pool = list(range(len(rows)))
    # planted: exchanges, a ticket type the POS has had since November
    since = datetime(2024, 11, 1)
    november = [
        i
        for i in pool
        if datetime.strptime(rows[i][2], "%d/%m/%Y %H:%M:%S") >= since and rows[i][3] == "VENTA"
    ]
    for i in pick(rng, november, 3):
        pool.remove(i)
        if not corrected:
            rows[i][3] = "CAMBIO"
    # planted: the card reader was down and the cashier typed nothing
    for i in pick(rng, pool, 4):
        if not corrected:
            rows[i][4] = ""
    # planted: the cashier typed the card number by hand and dropped a digit
    for i in pick(rng, pool, 2):
        if not corrected:
            rows[i][4] = rows[i][4][:-2] + rows[i][4][-1]
    # the POS runs on Windows: UTF-16 (little endian, with BOM), tab separated, CRLF;
    # planted: a firmware update added the medio_pago column, which no mapping reads
    header = STORE_HEADER
    if corrected:
        header, rows = header[:-1], [r[:-1] for r in rows]
    text = csv_bytes(header, rows, "\t", "\r\n")
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


def write_instagram(
    out: Path, seed: int, customers: list[Customer], plan: Plan, corrected: bool
) -> None:
    rng = random.Random(f"{seed}:instagram")
    handles = [c.instagram for c in clean(customers, plan) if c.instagram]
    # the comments and messages of the customers, and the plan's: one who writes her
    # handle with '@' in the CRM (2), one who renamed the account (3)
    who = [rng.choice(handles) for _ in range(175)]
    who += [plan.handle_at.instagram] * 2 + [plan.new_handle] * 3
    items, threads = [], set()
    for handle in who:
        kind = rng.choice(["comment", "comment", "message"])
        at = at_local(rng, RETAIL_DAY, SAO_PAULO)
        thread = fresh(
            lambda k=kind: f"{'m' if k == 'comment' else 't'}_{rng.randint(10**15, 10**16 - 1)}",
            threads,
        )
        items.append(
            {
                "id": str(rng.randint(17_840_000_000_000_000, 17_849_999_999_999_999)),
                "type": kind,
                "timestamp": at.strftime("%Y-%m-%dT%H:%M:%S+0000"),
                "from": {"username": handle, "id": str(rng.randint(10**15, 10**16))},
                "text": rng.choice(IG_TEXTS),
                "thread_id": thread,
            }
        )
    items.sort(key=lambda i: (i["timestamp"], i["id"]))
    planted = {plan.handle_at.instagram, plan.new_handle}
    messages = [i for i in items if i["type"] == "message" and i["from"]["username"] not in planted]
    for n, item in enumerate(rng.sample(messages, 2), start=1):  # planted: long complaints
        text = IG_LONG.format(n=f"Protocolo {n}{rng.randint(1000, 9999)}.")
        if not corrected:
            item["text"] = text
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


def generate(out: Path, seed: int = SEED, corrected: bool = False) -> list[Path]:
    """Write every export under ``out``; return the files written, sorted.

    ``corrected=True`` writes the same exports with every planted defect fixed."""
    out = Path(out)
    customers, prospects, used = make_customers(seed)
    plan = make_plan(seed, customers, prospects, used)
    for writer in WRITERS:
        writer(out, seed, customers, plan, corrected)
    return sorted(p for p in out.rglob("*") if p.is_file())


def write_project(dest: Path, seed: int = SEED, corrected: bool = False) -> Path:
    """A complete copy of the project in ``dest``: omnicontract.yaml, channels/, exports/."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(HERE / "omnicontract.yaml", dest / "omnicontract.yaml")
    shutil.copytree(HERE / "channels", dest / "channels", dirs_exist_ok=True)
    generate(dest / "exports", seed, corrected)
    return dest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="exports folder (default: exports/ here)")
    parser.add_argument("--project", type=Path, help="write a complete project copy here")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--corrected",
        action="store_true",
        help="fix every planted defect (needs --out or --project)",
    )
    args = parser.parse_args(argv)
    if args.out and args.project:
        parser.error("give --out or --project, not both")
    if args.corrected and not (args.out or args.project):
        parser.error(
            "--corrected needs --out or --project (the committed exports keep their defects)"
        )
    if args.project:
        root = write_project(args.project, args.seed, args.corrected)
        files = sorted(p for p in root.rglob("*") if p.is_file())
    else:
        files = generate(args.out or HERE / "exports", args.seed, args.corrected)
    for path in files:
        print(path)


if __name__ == "__main__":
    main()
