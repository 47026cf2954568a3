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
        "customer no",
        "customer number",
        "cust id",
        "client no",
        "client number",
        "account holder id",
        "holder id",
        "id titular",
        "titular",
        "cod titular",
        "codigo titular",
        "id assinante",
        "assinante",
        "id abonado",
        "abonado",
        "subscriber id",
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
        "num documento",
        "documento identidad",
        "doc",
        "nro doc",
        "doc id",
        "nie",
        "cif",
        "nif cif",
        "dni nie",
        "ssn",
        "tax id",
        "taxid",
        "tin",
        "ein",
        "national id",
        "id number",
        "rfc",
        "curp",
        "cpf cliente",
        "cnpj cpf",
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
        "posted",
        "posted at",
        "posting date",
        "transaction date",
        "txn date",
        "order date",
        "call date",
        "call start",
        "start time",
        "started at",
        "fecha operacion",
        "fecha llamada",
        "data transacao",
        "data atendimento",
        "data chamada",
        "data pedido",
        "fecha pedido",
        "fecha contacto",
        "event date",
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
        "id caso",
        "nro caso",
        "numero caso",
        "case number",
        "case no",
        "case ref",
        "incident",
        "incident id",
        "incident number",
        "incidencia",
        "id incidencia",
        "expediente",
        "reclamacao",
        "reclamo",
        "id ticket",
        "ticket number",
        "ticket no",
        "id chamado",
        "nro chamado",
        "numero chamado",
        "atendimento",
        "id atendimento",
        "nro atendimento",
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
    "store_id": {
        "store id",
        "store",
        "loja",
        "sucursal",
        "tienda",
        "filial",
        "store code",
        "store no",
        "store number",
        "cod loja",
        "codigo loja",
        "id loja",
        "codigo tienda",
        "id tienda",
        "branch",
        "branch id",
        "branch code",
        "agencia",
        "oficina",
        "id sucursal",
        "pdv",
    },
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
        "duracao seg",
        "duracion seg",
        "call duration",
        "talk time",
        "tiempo",
        "tempo atendimento",
        "handle time",
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
        "nacimiento",
        "birthday",
        "dob date",
    },
    "country": {"country", "pais", "country code"},
    "preferred_channel": {"preferred channel", "canal preferido", "canal"},
    "created_at": {
        "created at",
        "data cadastro",
        "fecha alta",
        "cadastro",
        "created",
        "alta",
        "fecha registro",
        "registro",
        "signup",
        "signup date",
        "opened",
        "open date",
        "abertura",
        "data abertura",
        "customer since",
    },
    "updated_at": {"updated at", "data atualizacao", "fecha actualizacion", "updated"},
}
CONSENT_CHANNELS = {
    "email": {"email", "e mail", "correo", "mail", "newsletter"},
    "whatsapp": {"whatsapp", "wpp", "wa"},
    "sms": {"sms"},
    "phone": {"telefone", "telefono", "phone", "ligacao", "llamada", "calls", "telemarketing"},
}
CONSENT_WORDS = {
    "aceita", "acepta", "consent", "consentimento", "consentimiento", "opt in", "optin",
    "permite", "recebe", "receber", "recibir", "autoriza", "marketing", "mkt", "accepts",
    "allow", "allows", "lgpd", "rgpd", "gdpr", "flag",
}  # fmt: skip
OPT_OUT_WORDS = {"opt out", "optout", "unsubscribed", "baja", "descadastro", "no contactar"}
CONSENT_DATE_WORDS = {
    "data aceite", "fecha aceptacion", "consent at", "consent date", "data consentimento",
    "fecha consentimiento", "opt in at", "opt in date", "dt aceite", "dt consentimento",
}  # fmt: skip


def synonyms(entity: str) -> dict[str, set[str]]:
    table = {k: set(v) for k, v in COMMON.items()}
    extra = INTERACTION if entity == "interaction" else CUSTOMER if entity == "customer" else {}
    for key, words in extra.items():
        table.setdefault(key, set()).update(words)
    return table


def _consent_field(name: str) -> str | None:
    """`aceita_email`, `email_opt_in`, `acepta_comunicaciones_sms`, `consent_sms_at`,
    `opt_out_whatsapp` ... -> the consent field (opt-outs too: the draft then swaps true
    and false); a name with a date word is the consent's timestamp."""
    padded = f" {name} "
    words = CONSENT_WORDS | OPT_OUT_WORDS | CONSENT_DATE_WORDS
    if not any(f" {w} " in padded for w in words):
        return None
    dated = any(f" {w} " in padded for w in ("at", "date", "data", "fecha", "dt", "em", "en"))
    dated = dated or any(f" {w} " in padded for w in CONSENT_DATE_WORDS)
    for channel, channel_words in CONSENT_CHANNELS.items():
        if any(f" {w} " in padded for w in channel_words):
            return f"consent_{channel}_at" if dated else f"consent_{channel}"
    return None


def is_opt_out(name: str) -> bool:
    text = plain(name)
    return any(word in text for word in OPT_OUT_WORDS)


DATE_PREFIXES = ("dt ", "data ", "fecha ", "date ", "dia ", "ts ", "hora ")


def fields_for_name(column: str, entity: str, fields: list[str]) -> list[tuple[str, bool]]:
    """Candidate canonical fields for a column name, best first, each with whether the
    match is only a near spelling (then it is unsure)."""
    name = plain(column)
    leaf = plain(column.rsplit(".", 1)[-1])
    out: list[tuple[str, bool]] = []
    for prefix in DATE_PREFIXES:  # `dt_nascimento`, `fecha_alta`: the rest names the date
        if name.startswith(prefix) and name != prefix.strip():
            rest = name[len(prefix) :]
            out.extend((f, u) for f, u in fields_for_name(rest, entity, fields) if not u)
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
