"""What a column's sampled values are: dates and their format, phones and their region,
e-mails, booleans, numbers, and how a vocabulary maps onto a canonical enum."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

ISO_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$"
)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_CHARS = re.compile(r"^[\d\s()+\-.]{8,20}$")
DECIMAL_COMMA = re.compile(r"^-?\d{1,3}(?:\.\d{3})*,\d+$|^-?\d+,\d+$")
NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")

# strptime candidates, day-first before month-first: both fit when every day is <= 12
DATE_FORMATS = [
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%d/%m/%Y %I:%M:%S %p",
    "%d/%m/%Y %I:%M %p",
    "%Y-%m-%d %I:%M:%S %p",
    "%Y-%m-%d %I:%M %p",
    "%m/%d/%y %I:%M %p",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
    "%d/%m/%y %H:%M",
    "%d/%m/%y",
    "%Y%m%d",
]
MATCH_SHARE = 0.9


@dataclass
class TimeGuess:
    format: str | None  # None: ISO 8601, read without a format
    has_offset: bool
    has_time: bool
    note: str | None = None  # why it is unsure


def plain(text: str) -> str:
    """Lower case, no accents, runs of non-letters as one space."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", " ", ascii_text.lower()).strip()


def _share(values: list[str], test) -> float:
    return sum(1 for v in values if test(v)) / len(values) if values else 0.0


def _fits(value: str, fmt: str) -> bool:
    try:
        datetime.strptime(value, fmt)
    except ValueError:
        return False
    return True


def guess_time(values: list[str]) -> TimeGuess | None:
    """The format of a text column of dates or timestamps, or None if it is not one."""
    values = [v.strip() for v in values if v and v.strip()]
    if not values:
        return None
    if _share(values, lambda v: v.isdigit()) >= MATCH_SHARE:
        return _guess_epoch(values)
    if _share(values, ISO_DATETIME.match) >= MATCH_SHARE:
        offsets = [m.group(1) for v in values if (m := ISO_DATETIME.match(v))]
        has_offset = _share(offsets, bool) >= MATCH_SHARE
        return TimeGuess(None, has_offset, any(len(v) > 10 for v in values))
    scored = [(fmt, _share(values, lambda v, f=fmt: _fits(v, f))) for fmt in DATE_FORMATS]
    fitting = [(fmt, share) for fmt, share in scored if share >= MATCH_SHARE]
    if not fitting:
        return None
    fmt, share = max(fitting, key=lambda t: t[1])
    guess = TimeGuess(fmt, "%z" in fmt, "%H" in fmt or "%I" in fmt)
    rivals = [f for f, s in fitting if f != fmt and s == share and _day_month_swapped(f, fmt)]
    if rivals:
        guess.note = (
            f"day and month are ambiguous (every day in the sample is 12 or less): "
            f"{fmt} or {rivals[0]}"
        )
    elif share < 1:
        guess.note = f"{share:.0%} of the sampled values fit {fmt}; the rest will not parse"
    return guess


def _day_month_swapped(a: str, b: str) -> bool:
    return a.replace("%d", "#").replace("%m", "%d").replace("#", "%m") == b


def _guess_epoch(values: list[str]) -> TimeGuess | None:
    numbers = [int(v) for v in values if v.isdigit()]
    for fmt, scale in (("epoch_s", 1), ("epoch_ms", 10**3), ("epoch_us", 10**6)):
        if numbers and all(946_684_800 * scale <= n <= 2_524_608_000 * scale for n in numbers):
            return TimeGuess(fmt, True, True)  # 2000 .. 2050
    return None


TIME_OF_DAY = [
    (re.compile(r"^\d{1,2}:\d{2}:\d{2}\s?[AaPp]\.?[Mm]\.?$"), "%I:%M:%S %p"),
    (re.compile(r"^\d{1,2}:\d{2}\s?[AaPp]\.?[Mm]\.?$"), "%I:%M %p"),
    (re.compile(r"^\d{1,2}:\d{2}:\d{2}$"), "%H:%M:%S"),
    (re.compile(r"^\d{1,2}:\d{2}$"), "%H:%M"),
]


def _first_form(values: list[str], forms: list[tuple[re.Pattern[str], str]]) -> str | None:
    """The format of the first form that (nearly) every sampled value has."""
    values = [v.strip() for v in values if v and v.strip()]
    for pattern, fmt in forms:
        if values and _share(values, pattern.match) >= MATCH_SHARE:
            return fmt
    return None


def guess_clock(values: list[str]) -> str | None:
    """The strptime format of a column holding only a time of day (`14:30`, `2:30 PM`)."""
    return _first_form(values, TIME_OF_DAY)


DURATION_FORMS = [
    (re.compile(r"^\d{1,3}:[0-5]\d:[0-5]\d$"), "hh:mm:ss"),
    (re.compile(r"^\d{1,4}:[0-5]\d$"), "mm:ss"),
    (re.compile(r"^P(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?$"), "iso8601"),
]


def guess_duration(values: list[str]) -> str | None:
    """The duration format of a column (`00:05:30`, `05:30`, `PT5M30S`), if it has one."""
    return _first_form(values, DURATION_FORMS)


def _cpf_ok(digits: str) -> bool:
    if len(digits) != 11 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    for n in (9, 10):
        total = sum(int(d) * (n + 1 - i) for i, d in enumerate(digits[:n]))
        if (total * 10 % 11) % 10 != int(digits[n]):
            return False
    return True


DOCUMENT_SHAPES = [
    re.compile(r"^\d{3}\.\d{3}\.\d{3}-\d{2}$"),  # CPF
    re.compile(r"^\d{2}\.\d{3}\.\d{3}/\d{4}-\d{2}$"),  # CNPJ
    re.compile(r"^\d{8}-?[A-Za-z]$"),  # DNI / NIF
    re.compile(r"^[XYZxyz]-?\d{7}-?[A-Za-z]$"),  # NIE
    re.compile(r"^[A-HJ-NP-SUVWa-hj-np-suvw]\d{7}[0-9A-Ja-j]$"),  # CIF
    re.compile(r"^\d{3}-\d{2}-\d{4}$"),  # SSN
    re.compile(r"^\d{2}-\d{7}$"),  # EIN
]


def looks_like_documents(values: list[str]) -> bool:
    """National or tax documents (CPF, CNPJ, DNI, NIE, CIF, SSN, EIN), not phone numbers."""
    values = [v.strip() for v in values if v and v.strip()]
    if not values:
        return False

    def one(v: str) -> bool:
        return any(p.match(v) for p in DOCUMENT_SHAPES) or _cpf_ok(v)

    return _share(values, one) >= 0.8


def email_share(values: list[str]) -> float:
    values = [v.strip() for v in values if v and v.strip()]
    return _share(values, EMAIL.match)


def is_email_column(values: list[str]) -> bool:
    return email_share(values) >= 0.8


def looks_like_phones(values: list[str]) -> bool:
    values = [v.strip() for v in values if v and v.strip()]
    digits = [re.sub(r"\D", "", v) for v in values]
    return (
        bool(values)
        and _share(values, PHONE_CHARS.match) >= 0.8
        and _share(digits, lambda d: 8 <= len(d) <= 15) >= 0.8
    )


@dataclass
class PhoneGuess:
    region: str | None
    international: bool
    valid_share: float
    note: str


def guess_phone(values: list[str], regions: list[str], prefer_international: bool) -> PhoneGuess:
    """The reading (local numbers of a region, or country code first) that makes the most
    sampled numbers valid."""
    from omnicontract.validators.normalize import to_e164

    values = [v for v in values if v and v.strip()]
    if not values:
        return PhoneGuess(regions[0] if regions else None, False, 0.0, "no phone in the sample")
    results: list[tuple[int, int, str | None, bool]] = []
    for order, region in enumerate(regions):
        valid = sum(1 for v in values if to_e164(v, region))
        results.append((valid, -order - 1, region, False))
    intl = sum(1 for v in values if to_e164(v, None, True))
    results.append((intl, 0 if prefer_international else -len(regions) - 1, None, True))
    valid, _order, region, international = max(results)
    share = valid / len(values)
    others = sorted({r for v, _o, r, i in results if v == valid and r != region and not i})
    how = "international (country code first)" if international else f"local numbers of {region}"
    note = f"read as {how}: {share:.0%} of {len(values)} sampled numbers are valid"
    if others:
        note += f" (as many with {', '.join(others)})"
    return PhoneGuess(region, international, share, note)


# ------------------------------------------------------------------ booleans, numbers

TRUE_WORDS = {"true", "t", "1", "yes", "y", "sim", "s", "si", "verdadeiro", "x"}
FALSE_WORDS = {"false", "f", "0", "no", "n", "nao", "falso"}
EXTRA_TRUE = {"subscribed", "opt in", "optin", "opted in", "ativo", "activo", "active", "aceito"}
EXTRA_FALSE = {"unsubscribed", "opt out", "optout", "opted out", "inativo", "inactivo", "inactive"}


def guess_boolean(values: list[str]) -> tuple[list[str], list[str], bool] | None:
    """(true values, false values, needs explicit lists) when every value is a yes/no."""
    trues, falses, explicit = [], [], False
    for v in values:
        word = plain(v)
        if word in TRUE_WORDS or word in EXTRA_TRUE:
            trues.append(v)
            explicit |= word in EXTRA_TRUE
        elif word in FALSE_WORDS or word in EXTRA_FALSE:
            falses.append(v)
            explicit |= word in EXTRA_FALSE
        else:
            return None
    if not trues or not falses:
        return None
    return trues, falses, explicit


def has_decimal_comma(values: list[str]) -> bool:
    values = [v.strip() for v in values if v and v.strip()]
    return bool(values) and _share(values, DECIMAL_COMMA.match) >= MATCH_SHARE


def is_number_column(values: list[str]) -> bool:
    values = [v.strip() for v in values if v and v.strip()]
    return bool(values) and _share(values, NUMBER.match) >= MATCH_SHARE


# ------------------------------------------------------------------ vocabularies

# canonical value -> words channels use for it (compared after `plain`)
SYNONYMS: dict[str, dict[str, set[str]]] = {
    "status": {
        "open": {"aberto", "aberta", "abierto", "abierta", "em andamento", "en curso", "novo"},
        "pending": {"pendente", "pendiente", "aguardando", "esperando", "waiting", "on hold"},
        "resolved": {"resolvido", "resolvida", "resuelto", "resuelta", "atendido", "atendida"},
        "closed": {"encerrado", "encerrada", "fechado", "fechada", "cerrado", "cerrada"},
        "cancelled": {"canceled", "cancelado", "cancelada", "anulado", "anulada"},
        "failed": {"falha", "falhou", "fallido", "fallida", "error", "erro"},
        "sent": {"enviado", "enviada"},
        "delivered": {"entregue", "entregado", "entregada"},
        "read": {"opened", "lido", "lida", "leido", "leida", "visto", "vista"},
        "bounced": {"bounce", "rebotado", "rebotada", "devolvido"},
        "completed": {"finalizado", "finalizada", "concluido", "concluida", "completado"},
    },
    "direction": {
        "inbound": {
            "recebida",
            "recebido",
            "receptivo",
            "entrada",
            "entrante",
            "recibida",
            "recibido",
            "incoming",
            "in",
        },
        "outbound": {
            "enviada",
            "enviado",
            "ativo",
            "activo",
            "saida",
            "saliente",
            "outgoing",
            "out",
        },
    },
    "kind": {
        "message": {"mensagem", "mensaje", "msg", "dm", "direct message"},
        "call": {"ligacao", "chamada", "llamada", "phone call"},
        "visit": {"visita"},
        "purchase": {"venta", "venda", "compra", "sale"},
        "return": {"devolucion", "devolucao", "refund"},
        "page_view": {"screen view", "pageview", "page", "visualizacao", "vista"},
        "order": {"pedido"},
        "comment": {"comentario"},
        "survey": {"pesquisa", "encuesta"},
    },
    "channel": {
        "whatsapp": {"whats", "wpp", "zap"},
        "email": {"e mail", "correo", "mail"},
        "call_center": {"telefone", "telefono", "phone", "ligacao", "central"},
        "store": {"loja", "tienda", "sucursal"},
        "app": {"aplicativo"},
        "web": {"site", "sitio", "website"},
        "instagram": {"insta", "ig"},
        "facebook": {"fb", "messenger"},
    },
    "document_type": {
        "passport": {"passaporte", "pasaporte"},
        "other": {"outro", "otro"},
    },
}
SYNONYMS["preferred_channel"] = SYNONYMS["channel"]


def canonical_value(field: str, value: str, enum: list[str]) -> str | None:
    """The canonical enum value a source word means, or None if none is known."""
    word = plain(value)
    compact = word.replace(" ", "")
    for canonical in enum:
        if word == plain(canonical) or compact == canonical.replace("_", ""):
            return canonical
    for canonical, words in SYNONYMS.get(field, {}).items():
        if canonical in enum and (word in words or compact in {w.replace(" ", "") for w in words}):
            return canonical
    return None


def value_map(field: str, values: list[str], enum: list[str]) -> tuple[dict[str, str], list[str]]:
    """(source -> canonical for the words that need mapping, words with no known meaning).
    Values already canonical need no entry: the validator passes them through."""
    known: dict[str, str] = {}
    unknown: list[str] = []
    for v in values:
        if v in enum:
            continue
        canonical = canonical_value(field, v, enum)
        if canonical is None:
            unknown.append(v)
        else:
            known[v] = canonical
    return known, unknown
