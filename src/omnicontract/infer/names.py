"""Which canonical field a column name means, in Portuguese, Spanish and English.

Names are compared after :func:`omnicontract.infer.values.plain` (lower case, no
accents, punctuation as spaces), so ``Código Cliente``, ``codigo_cliente`` and
``CODIGO-CLIENTE`` are the same name.
"""

from __future__ import annotations

import difflib

from omnicontract.infer.values import plain

# canonical field -> column names that mean it (plain form)
COMMON: dict[str, set[str]] = {
    "customer_id": {
        "customer id",
        "codigo cliente",
        "cod cliente",
        "id cliente",
        "cliente id",
        "cliente",
        "external id",
        "client id",
        "user id",
        "id usuario",
        "usuario id",
        "crm id",
        "numero cliente",
        "nro cliente",
    },
    "email": {"email", "e mail", "mail", "correo", "correo electronico", "email address"},
    "phone": {
        "phone",
        "telefone",
        "telefono",
        "fone",
        "celular",
        "movil",
        "mobile",
        "whatsapp",
        "wa id",
        "msisdn",
        "phone number",
        "numero telefone",
        "tel",
        "cel",
    },
    "document_id": {
        "document id",
        "documento",
        "document",
        "cpf",
        "cnpj",
        "cpf cnpj",
        "dni",
        "cuit",
        "cuil",
        "rut",
        "nif",
        "nro documento",
        "numero documento",
    },
    "loyalty_id": {
        "loyalty id",
        "cartao fidelidade",
        "fidelidade",
        "socio",
        "nro socio",
        "loyalty",
        "member id",
        "tarjeta socio",
    },
    "language": {"language", "idioma", "lang", "locale", "lingua"},
}
INTERACTION: dict[str, set[str]] = {
    "interaction_id": {
        "interaction id",
        "id",
        "message id",
        "event id",
        "event uuid",
        "protocolo",
        "nro ticket",
        "ticket",
        "numero ticket",
        "call id",
        "id mensagem",
        "id mensaje",
        "uuid",
    },
    "social_handle": {"social handle", "username", "handle", "from username", "usuario"},
    "channel": {"channel", "canal"},
    "direction": {"direction", "sentido", "direccion", "tipo chamada", "tipo llamada"},
    "kind": {"kind", "type", "tipo", "event name", "event type", "evento", "tipo evento"},
    "occurred_at": {
        "occurred at",
        "timestamp",
        "ts",
        "date",
        "data",
        "fecha",
        "data hora",
        "fecha hora",
        "datetime",
        "sent at",
        "created at",
        "event ts",
        "client ts",
        "event time",
        "time",
        "hora",
        "data envio",
        "fecha envio",
        "enviado em",
    },
    "case_id": {
        "case id",
        "caso",
        "case",
        "conversa",
        "conversation",
        "conversation id",
        "thread id",
        "thread",
        "ticket id",
        "chamado",
        "protocolo caso",
    },
    "status": {"status", "estado", "situacao", "state"},
    "topic": {
        "topic",
        "assunto",
        "asunto",
        "motivo",
        "subject",
        "tema",
        "screen",
        "page path",
        "page",
        "text",
        "texto",
        "mensagem",
        "mensaje",
        "message",
        "body",
        "url",
    },
    "agent_id": {"agent id", "agente", "agent", "atendente", "operador", "cajero", "vendedor"},
    "campaign_id": {
        "campaign id",
        "campaign",
        "campanha",
        "campana",
        "id campanha",
        # a WhatsApp Business message template: business-initiated, marketing
        "template",
        "template name",
        "modelo mensagem",
        "plantilla",
    },
    "store_id": {"store id", "store", "loja", "sucursal", "tienda", "filial"},
    # links between channels (the link itself, links:, is for a person to declare)
    "link_id": {"link id", "click id", "tracking id", "id clique", "id click"},
    "ref_id": {
        "ref id",
        "ref click id",
        "referrer id",
        "msg whatsapp",
        "mensagem whatsapp",
        "id mensagem whatsapp",
        "origin message id",
    },
    "amount": {
        "amount",
        "importe",
        "valor",
        "value",
        "total",
        "order total",
        "monto",
        "preco",
        "precio",
    },
    "currency": {"currency", "moeda", "moneda", "divisa"},
    "duration_seconds": {
        "duration seconds",
        "duration",
        "duracao",
        "duracion",
        "duracao s",
        "duracion s",
        "duration s",
        "tempo",
        "segundos",
    },
}
CUSTOMER: dict[str, set[str]] = {
    "full_name": {"full name", "name", "nome", "nome completo", "nombre", "nombre completo"},
    "document_type": {"document type", "tipo documento", "tipo doc", "doc type"},
    "instagram_handle": {"instagram", "instagram handle", "insta", "ig"},
    "facebook_id": {"facebook", "facebook id", "fb id", "psid"},
    "birth_date": {
        "birth date",
        "birthdate",
        "dob",
        "data nascimento",
        "nascimento",
        "fecha nacimiento",
        "date of birth",
    },
    "country": {"country", "pais", "country code"},
    "preferred_channel": {"preferred channel", "canal preferido", "canal"},
    "created_at": {"created at", "data cadastro", "fecha alta", "cadastro", "created"},
    "updated_at": {"updated at", "data atualizacao", "fecha actualizacion", "updated"},
}
CONSENT_CHANNELS = {
    "email": {"email", "e mail", "correo"},
    "whatsapp": {"whatsapp", "wpp"},
    "sms": {"sms"},
    "phone": {"telefone", "telefono", "phone", "ligacao", "llamada"},
}
CONSENT_WORDS = {"aceita", "acepta", "consent", "consentimento", "opt in", "optin", "permite"}
CONSENT_DATE_WORDS = {"data aceite", "fecha aceptacion", "consent at", "consent date"}


def synonyms(entity: str) -> dict[str, set[str]]:
    table = {k: set(v) for k, v in COMMON.items()}
    extra = INTERACTION if entity == "interaction" else CUSTOMER if entity == "customer" else {}
    for key, words in extra.items():
        table.setdefault(key, set()).update(words)
    return table


def _consent_field(name: str) -> str | None:
    for channel, words in CONSENT_CHANNELS.items():
        for word in words:
            if any(name == f"{c} {word}" for c in CONSENT_DATE_WORDS):
                return f"consent_{channel}_at"
            if any(name == f"{c} {word}" for c in CONSENT_WORDS):
                return f"consent_{channel}"
    return None


def fields_for_name(column: str, entity: str, fields: list[str]) -> list[tuple[str, bool]]:
    """Candidate canonical fields for a column name, best first, each with whether the
    match is only a near spelling (then it is unsure)."""
    name = plain(column)
    leaf = plain(column.rsplit(".", 1)[-1])
    out: list[tuple[str, bool]] = []
    if name.replace(" ", "_") in fields:
        out.append((name.replace(" ", "_"), False))
    if entity == "customer" and (consent := _consent_field(name)) and consent in fields:
        out.append((consent, False))
    for field, words in synonyms(entity).items():
        if field in fields and (name in words or (leaf != name and leaf in words)):
            out.append((field, False))
    if not out:
        close = difflib.get_close_matches(name.replace(" ", "_"), fields, n=1, cutoff=0.85)
        out.extend((f, True) for f in close)
    seen: set[str] = set()
    return [(f, u) for f, u in out if not (f in seen or seen.add(f))]
