"""Identity resolution across channels.

The master entity's feeds (the customer master) define who the customers are. Every
identity key of every master record is normalized (see :class:`Normalizer`) into one
index; each other feed that carries identity keys is then resolved against it, key by
key in the project's order of trust. A key value identifies a customer only when it is
usable: not a placeholder (``test@...``), not shared by more customers than the
project's ``shared_threshold``, and owned by exactly one customer.

Everything stays in the engine, and a feed is resolved once per distinct tuple of its
key values, not per row: the cost follows the keys. The tables, as query-builder tables:

- ``pairs(key, norm, cid, channel)``: distinct normalized key values per master customer;
- ``raw(key, raw)``: distinct raw key values of the master (for OC-IDN-003);
- ``values(key, norm, owners, cid)``: per key value, how many customers own it;
- per resolved feed, ``Resolution.by_key``: per distinct key tuple, ``n_<key>``
  (normalized), ``x_<key>`` (raw value that joins only after normalization),
  ``c_<id key>``, ``customer``, ``via``, ``status`` and ``__rows`` (the feed's rows with
  that tuple); the checks that count rows sum ``__rows`` there;
- ``Resolution.events``: the feed's rows, with the event columns ``__t, __ch, __dir,
  __j, __status, __camp, __pk, __kind, __act``;
- ``Resolution.table``: the two joined (a view), one row per row of the feed, for the
  checks that need a row's customer and its events together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    DateTime,
    String,
    and_,
    case,
    cast,
    column,
    false,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)

from omnicontract.contracts.model import IdentityKey, Normalizer
from omnicontract.contracts.values import glob_regex
from omnicontract.validators.sqlfuncs import matches

if TYPE_CHECKING:
    from sqlalchemy.sql.expression import ColumnElement, TableClause

    from omnicontract.validators.run import FeedRun, Run

STATUSES = ("resolved", "ambiguous", "orphan", "no_key")


def normalized(key: IdentityKey, value: ColumnElement[Any]) -> ColumnElement[Any]:
    """The key's normalized form of ``value``; NULL when empty."""
    text = cast(value, String())
    match key.normalize:
        case Normalizer.email:
            out = func.lower(func.trim(text))
        case Normalizer.phone:
            out = text
        case Normalizer.document:
            # letters and digits, without the leading zeros spreadsheets drop from numbers
            # (all zeros stay, for the placeholders)
            alnum = func.upper(func.regexp_replace(text, "[^0-9A-Za-z]", "", "g"))
            out = func.coalesce(func.nullif(func.ltrim(alnum, "0"), ""), alnum)
        case Normalizer.handle:
            out = func.lower(func.ltrim(func.trim(text), "@"))
        case _:
            out = func.upper(func.trim(text))
    return func.nullif(out, "")


def placeholder(patterns: list[str], value: ColumnElement[Any]) -> ColumnElement[bool]:
    """True when ``value`` matches one of the glob ``patterns`` (case-insensitive). One
    regular expression with an alternation, so each value is scanned once."""
    if not patterns:
        return false()
    regexes = [glob_regex(p.lower()) for p in patterns]
    return matches(func.lower(value), "(" + "|".join(regexes) + ")")


ROWS = "__rows"  # rows of the feed with a key tuple


@dataclass
class Resolution:
    """One feed resolved. ``by_key``: one row per distinct tuple of the feed's key values
    (``n_``, ``x_``, ``c_`` columns, ``customer``, ``via``, ``status``, and ``__rows``, how
    many rows carry it): what is counted is counted there, weighted by ``__rows``.
    ``events``: the feed's rows with their event columns. ``table``: the rows joined to
    their tuple's resolution (a view), for the checks that need both per row."""

    feed: FeedRun
    table: TableClause
    keys: list[IdentityKey]
    by_key: TableClause
    events: TableClause
    columns: dict[str, str]  # a key column of the feed -> its column in ``by_key``
    _stats: tuple[dict[str, int], dict[str, int]] | None = None


# The event columns a resolution table carries: alias -> (field of the feed, is a time).
def _extras(feed: FeedRun, run: Run) -> dict[str, str | None]:
    consent = run.project.settings.consent
    return {
        "__t": feed.contract.event_time,
        "__ch": consent.channel_field,
        "__dir": consent.direction_field,
        "__j": feed.contract.journey_key,
        "__status": "status",
        "__camp": consent.campaign_field,
        "__pk": feed.contract.primary_key,
        "__kind": "kind",
        "__act": consent.action_field,
    }


def resolution_fields(run: Run, feed: FeedRun) -> set[str]:
    """The fields of ``feed`` the identity index reads: its identity keys and the
    customer id, and on a feed resolved against the master the event columns too."""
    policy = run.project.settings.identity
    names = {k.field_for(feed.binding.entity) for k in policy.keys} | {policy.id_field}
    if feed.binding.entity != policy.master:
        names |= {name for name in _extras(feed, run).values() if name}
    return names


class IdentityIndex:
    def __init__(self, run: Run):
        self.run = run
        self.policy = run.project.settings.identity
        self.master_feeds = [
            f for f in run.feeds if f.ok and f.binding.entity == self.policy.master
        ]
        self.ready = bool(self.master_feeds)
        self._resolutions: dict[int, Resolution] = {}
        if self.ready:
            self._build_master()

    # ---------------------------------------------------------------- keys of a feed
    def feed_keys(self, feed: FeedRun) -> list[tuple[IdentityKey, str, str]]:
        """(key, value column, raw column) for each identity key the feed supplies."""
        out = []
        for key in self.policy.keys:
            name = key.field_for(feed.binding.entity)
            f = feed.fields.get(name)
            if f is None or f.constant:
                continue
            raw = f"{name}__raw" if f.raw is not None else name
            out.append((key, name, raw))
        return out

    def norm_expr(self, key: IdentityKey, value: ColumnElement[Any]) -> ColumnElement[Any]:
        """Normalized value, NULL when empty or a placeholder."""
        norm = normalized(key, value)
        patterns = self.policy.placeholders.get(key.name, [])
        if not patterns:
            return norm
        return case((placeholder(patterns, norm), null()), else_=norm)

    # ---------------------------------------------------------------- master index
    def _build_master(self) -> None:
        engine, id_field = self.run.engine, self.policy.id_field
        parts = []
        for feed in self.master_feeds:
            if id_field not in feed.fields:
                continue
            for key, col, raw in self.feed_keys(feed):
                parts.append(
                    select(
                        literal(key.name, String()).label("key"),
                        self.norm_expr(key, column(col)).label("norm"),
                        cast(column(raw), String()).label("raw"),
                        cast(column(id_field), String()).label("cid"),
                        literal(feed.channel_name, String()).label("channel"),
                    ).select_from(feed.view)
                )
        if not parts:
            self.ready = False
            return
        union = union_all(*parts).subquery("u")
        self.pairs = engine.create_table(
            "id_pairs",
            select(union.c.key, union.c.norm, union.c.cid, union.c.channel)
            .where(union.c.norm.is_not(None), union.c.cid.is_not(None))
            .distinct(),
        )
        self.raw = engine.create_table(
            "id_raw",
            select(union.c.key, union.c.raw).where(union.c.raw.is_not(None)).distinct(),
        )
        p = self.pairs
        self.values = engine.create_table(
            "id_values",
            select(
                p.c.key,
                p.c.norm,
                func.count(p.c.cid.distinct()).label("owners"),
                func.min(p.c.cid).label("cid"),
            ).group_by(p.c.key, p.c.norm),
        )

    # ---------------------------------------------------------------- resolution
    def resolution(self, feed: FeedRun) -> Resolution | None:
        """Resolve ``feed`` (a non-master feed with identity keys): each distinct tuple of
        its key values once, and its rows through that."""
        if not self.ready or not feed.ok or feed.binding.entity == self.policy.master:
            return None
        if id(feed) in self._resolutions:
            return self._resolutions[id(feed)]
        keys = self.feed_keys(feed)
        if not keys:
            return None
        n = self.run.feeds.index(feed)
        by_key, on = self._by_key(feed, n, keys)
        events = self._events(feed, n, on)
        f, r = events.alias("f"), by_key.alias("r")
        tuple_columns = [alias for _name, alias in on]
        table = self.run.engine.create_view(
            f"res_{n}",
            select(
                *[c for c in f.c if c.key not in tuple_columns],
                *[c for c in r.c if c.key not in tuple_columns and c.key != ROWS],
            ).select_from(
                f.outerjoin(r, and_(*[f.c[a].is_not_distinct_from(r.c[a]) for a in tuple_columns]))
            ),
        )
        res = Resolution(feed, table, [k for k, _c, _r in keys], by_key, events, dict(on))
        self._resolutions[id(feed)] = res
        return res

    def _by_key(
        self, feed: FeedRun, n: int, keys: list[tuple[IdentityKey, str, str]]
    ) -> tuple[TableClause, list[tuple[str, str]]]:
        """The feed's distinct key tuples (``rows`` of the feed each), resolved; and the
        (feed column, tuple column) pairs a row joins its tuple on."""
        threshold = self.policy.shared_threshold
        id_key = self.policy.id_field
        grouped = list(dict.fromkeys(name for _k, col, raw in keys for name in (col, raw)))
        on = [(name, f"__g{i}") for i, name in enumerate(grouped)]
        g = (
            select(*[column(name).label(alias) for name, alias in on], func.count().label(ROWS))
            .select_from(feed.view)
            .group_by(*[column(name) for name in grouped])
            .subquery("g")
        )
        alias_of = dict(on)
        joined: Any = g
        kept: list[ColumnElement[Any]] = [g.c[alias] for _n, alias in on]
        for i, (key, col, raw) in enumerate(keys):
            k = key.name
            norm = self.norm_expr(key, g.c[alias_of[col]])
            raw_value = cast(g.c[alias_of[raw]], String())
            m, x = self.values.alias(f"m{i}"), self.raw.alias(f"x{i}")
            joined = joined.outerjoin(m, and_(m.c.key == k, m.c.norm == norm))
            joined = joined.outerjoin(x, and_(x.c.key == k, x.c.raw == raw_value))
            kept += [
                norm.label(f"n_{k}"),
                # the raw value, kept only where it joins after normalization but not before
                case((and_(m.c.owners >= 1, x.c.raw.is_(None)), raw_value)).label(f"x_{k}"),
                m.c.cid.label(f"c_{k}"),
                m.c.owners.label(f"o_{k}"),
            ]
        kept.append(g.c[ROWS])
        s = select(*kept).select_from(joined).subquery("s")

        def c(prefix: str, k: IdentityKey) -> ColumnElement[Any]:
            return s.c[f"{prefix}_{k.name}"]

        names = [k for k, _c, _r in keys]
        customer = func.coalesce(*[case((c("o", k) == 1, c("c", k))) for k in names])
        via = case(*[(c("o", k) == 1, literal(k.name, String())) for k in names])
        status = case(
            (customer.is_not(None), literal("resolved", String())),
            (or_(*[c("o", k).between(2, threshold) for k in names]), literal("ambiguous")),
            (
                or_(
                    *[
                        and_(c("n", k).is_not(None), func.coalesce(c("o", k), 0) <= threshold)
                        for k in names
                    ]
                ),
                literal("orphan"),
            ),
            else_=literal("no_key"),
        )
        stored = [s.c[alias] for _n, alias in on]
        stored += [c("n", k) for k in names] + [c("x", k) for k in names]
        if any(k.name == id_key for k in names):
            stored.append(s.c[f"c_{id_key}"])
        stored += [customer.label("customer"), via.label("via"), status.label("status")]
        table = self.run.engine.create_table(f"res_{n}_k", select(*stored, s.c[ROWS]), keep=True)
        return table, on

    def _events(self, feed: FeedRun, n: int, on: list[tuple[str, str]]) -> TableClause:
        """The feed's rows as a view: the key columns a row joins its tuple on, and the
        event columns under the aliases of ``_extras`` (constant where the feed has one
        value for all, or no such field)."""
        cols: list[ColumnElement[Any]] = [column(name).label(alias) for name, alias in on]
        for alias, fname in _extras(feed, self.run).items():
            sql_type = DateTime(timezone=True) if alias == "__t" else String()
            f = feed.fields.get(fname) if fname else None
            if f is None:  # the feed has no such field
                cols.append(cast(null(), sql_type).label(alias))
            elif f.constant:
                value = dict(feed.binding.constants).get(fname)
                cols.append(cast(literal(str(value), String()), sql_type).label(alias))
            else:
                cols.append(cast(column(fname), sql_type).label(alias))
        return self.run.engine.create_view(f"ev_{n}", select(*cols).select_from(feed.view))

    def key_rows(self, feed: FeedRun, col: str) -> tuple[Any, ColumnElement[Any], Any]:
        """Where to count the values of ``feed``'s key column ``col``: (source, the value,
        the rows each source row stands for). A resolved feed's key tuples, each weighted
        by its rows; the master's rows, one each."""
        res = self.resolution(feed)
        if res is None:
            return feed.view, column(col), literal(1)
        return res.by_key, res.by_key.c[res.columns[col]], res.by_key.c[ROWS]

    def stats(self, res: Resolution) -> tuple[dict[str, int], dict[str, int]]:
        """Rows per status, and resolved rows per key: one pass over the key tuples,
        shared by the checks that count a status and by the run's summary."""
        if res._stats is None:
            t = res.by_key
            rows = self.run.fetch(
                select(t.c.status, t.c.via, func.sum(t.c[ROWS])).group_by(t.c.status, t.c.via)
            )
            by_status = dict.fromkeys(STATUSES, 0)
            by_key = {k.name: 0 for k in res.keys}
            for status, via, n in rows:
                by_status[status] += int(n)
                if via is not None:
                    by_key[via] += int(n)
            res._stats = (by_status, by_key)
        return res._stats

    def status_count(self, res: Resolution, status: str) -> int:
        return self.stats(res)[0][status]

    def key_pii(self, feed: FeedRun, key: IdentityKey) -> bool:
        f = feed.fields.get(key.field_for(feed.binding.entity))
        return bool(f and f.spec.pii)

    def resolutions(self, *, every: bool = False) -> list[Resolution]:
        """The resolved feeds of the run's selected channels (``every``: also the feeds
        read for them, as a case stitched across channels needs)."""
        out = []
        for feed in self.run.feeds:
            if feed.selected or every:
                res = self.resolution(feed)
                if res is not None:
                    out.append(res)
        return out
