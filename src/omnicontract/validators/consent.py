"""Consent over time: every known consent event, and the state rule the consent checks use.

Events come from two places:

- the consent log: feeds of the consent entity (``consent.entity``, ``consent_event`` by
  default), one row per opt-in or opt-out with a time, resolved to customers by their
  identity keys like interactions; an event without a channel covers every channel;
- the master's consent flags (``consent.channels``): a flag with a date (the field of
  the same name with ``_at``) is an event at that date; a flag without a date is only the
  state at export time, and says nothing about when it changed.

The rule: the consent state of a customer for a channel at time *t* is the action of the
latest dated event at or before *t*; an opt-out wins a tie (an opt-out and a contact at
the same instant: the contact came too late). Events after the run's ``as_of`` moment
are ignored. With no dated event at or before *t* the state is unknown at *t*.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    DateTime,
    String,
    and_,
    case,
    cast,
    column,
    exists,
    false,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)

if TYPE_CHECKING:
    from sqlalchemy.sql.expression import ColumnElement, TableClause

    from omnicontract.validators.identity import Resolution
    from omnicontract.validators.run import FeedRun, Run

EVENTS = "consent_events"


def fields_read(run: Run, feed: FeedRun) -> set[str]:
    """What the consent checks read of ``feed``: what resolving it reads (the consent
    log's action and time among them) and, on the master, the consent flags and dates."""
    from omnicontract.validators.identity import resolution_fields

    names = resolution_fields(run, feed)
    if feed.binding.entity == run.project.settings.identity.master:
        for name in run.project.settings.consent.channels.values():
            names |= {name, f"{name}_at"}
    return names


def resolution_table(res: Resolution) -> TableClause:
    return res.table


def log_resolutions(run: Run) -> list[Resolution]:
    entity = run.project.settings.consent.entity
    index = run.identity()
    return [
        r
        for r in (index.resolution(f) for f in run.feeds if f.binding.entity == entity)
        if r is not None
    ]


def contact_resolutions(run: Run) -> list[Resolution]:
    entity = run.project.settings.consent.entity
    return [r for r in run.identity().resolutions() if r.feed.binding.entity != entity]


def _flag_selects(run: Run) -> list[Any]:
    index = run.identity()
    policy = run.project.settings.consent
    id_field = index.policy.id_field
    out = []
    for n, feed in enumerate(index.master_feeds if index.ready else []):
        if id_field not in feed.fields:
            continue
        view = feed.view
        for channel, field in policy.channels.items():
            # a consent flag is a boolean field (a project naming another is refused at
            # load; the default policy skips one)
            if field not in feed.fields or feed.fields[field].spec.type != "boolean":
                continue
            at = f"{field}_at"
            at_col = cast(column(at), DateTime(timezone=True)) if at in feed.fields else null()
            out.append(
                select(
                    cast(column(id_field), String()).label("cid"),
                    cast(literal(channel), String()).label("channel"),
                    cast(column(field), Boolean()).label("opt_in"),
                    cast(at_col, DateTime(timezone=True)).label("at"),
                    literal("flag").label("origin"),
                    literal(n).label("src"),
                )
                .select_from(view)
                .where(column(id_field).is_not(None), column(field).is_not(None))
            )
    return out


def _log_selects(run: Run) -> list[Any]:
    out = []
    for n, res in enumerate(log_resolutions(run)):
        r = resolution_table(res)
        out.append(
            select(
                cast(r.c.customer, String()).label("cid"),
                cast(r.c["__ch"], String()).label("channel"),
                (r.c["__act"] == "opt_in").label("opt_in"),
                cast(r.c["__t"], DateTime(timezone=True)).label("at"),
                literal("log").label("origin"),
                literal(n).label("src"),
            )
            .select_from(r)
            .where(
                r.c.customer.is_not(None),
                r.c["__t"].is_not(None),
                r.c["__act"].in_(["opt_in", "opt_out"]),
            )
        )
    return out


def consent_events(run: Run) -> TableClause | None:
    """The ``consent_events(cid, channel, opt_in, at, origin, src)`` table (built once per
    run), or None when nothing holds consent."""
    cached = getattr(run, "_consent_events", "")
    if cached != "":
        return cached
    parts = _flag_selects(run) + _log_selects(run)
    result = None
    if parts:
        union = union_all(*parts).subquery("e")
        result = run.engine.create_table(EVENTS, select(*union.c), keep=True)
    run._consent_events = result  # type: ignore[attr-defined]
    return result


def events_table(run: Run) -> TableClause:
    events = consent_events(run)
    assert events is not None, "consent_events(run) first"
    return events


def covers(ev: Any, customer: ColumnElement[Any], channel: ColumnElement[Any]) -> Any:
    """Events of ``customer`` that govern ``channel`` (their own, or every channel)."""
    return and_(ev.c.cid == customer, or_(ev.c.channel == channel, ev.c.channel.is_(None)))


def dated(ev: Any, as_of: Any, *, log_only: bool = False) -> Any:
    cond = and_(ev.c.at.is_not(None), ev.c.at <= as_of)
    return and_(cond, ev.c.origin == "log") if log_only else cond


def latest_is(
    run: Run,
    opt_in: bool,
    customer: ColumnElement[Any],
    channel: ColumnElement[Any],
    t: Any,
    as_of: Any,
    *,
    log_only: bool = False,
) -> Any:
    """True where the latest dated event at or before ``t`` is an opt-in (``opt_in``) or an
    opt-out; an opt-out wins a tie. Written with the latest opt-in and the latest opt-out
    of the customer's events (one subquery level: Spark resolves no deeper reference to
    the outer row)."""
    e = events_table(run).alias("l_in" if opt_in else "l_out")
    last_in = func.max(case((e.c.opt_in == true(), e.c.at)))
    last_out = func.max(case((e.c.opt_in == false(), e.c.at)))
    if opt_in:
        state = and_(last_in.is_not(None), or_(last_out.is_(None), last_out < last_in))
    else:
        state = and_(last_out.is_not(None), or_(last_in.is_(None), last_in <= last_out))
    return exists(
        select(literal(1))
        .select_from(e)
        .where(covers(e, customer, channel), dated(e, as_of, log_only=log_only), e.c.at <= t)
        .having(state)
        .correlate_except(e)
    )


def any_dated(
    run: Run, customer: ColumnElement[Any], channel: ColumnElement[Any], as_of: Any
) -> Any:
    e = events_table(run).alias("d")
    return exists().where(covers(e, customer, channel), dated(e, as_of)).correlate_except(e)


def undated_opt_out(run: Run, customer: ColumnElement[Any], channel: ColumnElement[Any]) -> Any:
    e = events_table(run).alias("u")
    return (
        exists()
        .where(
            e.c.cid == customer,
            e.c.channel == channel,
            e.c.origin == "flag",
            e.c.at.is_(None),
            e.c.opt_in == false(),
        )
        .correlate_except(e)
    )


def in_scope(run: Run, r: Any) -> Any:
    """Contacts that need consent: outbound, and marketing (a campaign id, or a kind listed
    in ``consent.kinds``), with a customer and a time no later than ``as_of``."""
    policy = run.project.settings.consent
    marketing = and_(r.c["__camp"].is_not(None), r.c["__camp"] != "")
    needs = marketing if policy.marketing_only else or_(marketing, r.c["__kind"].in_(policy.kinds))
    return and_(
        r.c["__dir"].in_(list(policy.outbound_values)),
        needs,
        r.c.customer.is_not(None),
        r.c["__ch"].is_not(None),
        or_(r.c["__t"].is_(None), r.c["__t"] <= as_of_param(run)),
    )


def as_of_param(run: Run) -> Any:
    return literal(run.now, DateTime(timezone=True))


def contacts_where(run: Run, res: Resolution, condition: Any) -> tuple[int, list[str]]:
    """In-scope contacts of one feed that meet ``condition``: their number, and the
    channels they were on, most frequent first."""
    from sqlalchemy import func

    r = resolution_table(res)
    ch = r.c["__ch"]
    stmt = (
        select(ch, func.count().label("n"))
        .select_from(r)
        .where(in_scope(run, r), condition(r))
        .group_by(ch)
        .order_by(func.count().desc(), ch)
    )
    rows = run.fetch(stmt)
    return sum(int(n) for _c, n in rows), [str(c) for c, _n in rows]
