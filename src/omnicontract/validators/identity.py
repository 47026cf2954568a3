"""Identity resolution across channels.

The master entity's feeds (the customer master) define who the customers are. Every
identity key of every master record is normalized (see :class:`Normalizer`) into one
index; each other feed that carries identity keys is then resolved against it, key by
key in the project's order of trust. A key value identifies a customer only when it is
usable: not a placeholder (``test@...``), not shared by more customers than the
project's ``shared_threshold``, and owned by exactly one customer.

Everything stays in DuckDB: one index table for the master, one resolution table per
feed (a few narrow columns per row), and the checks aggregate over them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from omnicontract.contracts.model import IdentityKey, Normalizer
from omnicontract.contracts.values import glob_regex

if TYPE_CHECKING:
    from omnicontract.validators.engine import FeedRun, Run

STATUSES = ("resolved", "ambiguous", "orphan", "no_key")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def normalized_sql(key: IdentityKey, column: str) -> str:
    col = _q(column)
    match key.normalize:
        case Normalizer.email:
            return f"NULLIF(lower(trim(CAST({col} AS VARCHAR))), '')"
        case Normalizer.phone:
            return f"NULLIF(CAST({col} AS VARCHAR), '')"
        case Normalizer.document:
            return f"NULLIF(upper(regexp_replace(CAST({col} AS VARCHAR), '[^0-9A-Za-z]', '', 'g')), '')"
        case Normalizer.handle:
            return f"NULLIF(lower(ltrim(trim(CAST({col} AS VARCHAR)), '@')), '')"
        case _:
            return f"NULLIF(upper(trim(CAST({col} AS VARCHAR))), '')"


def placeholder_sql(patterns: list[str], expr: str) -> str:
    """SQL that is true when ``expr`` matches one of the glob ``patterns`` (case-insensitive).
    One regular expression with an alternation, so each value is scanned once."""
    if not patterns:
        return "false"
    regexes = [glob_regex(p.lower()) for p in patterns]
    return f"regexp_full_match(lower({expr}), {_lit('(' + '|'.join(regexes) + ')')})"


@dataclass
class FeedKeys:
    """The identity keys a feed supplies: key -> (value column, raw column)."""

    columns: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass
class Resolution:
    feed: FeedRun
    table: str
    keys: list[IdentityKey]
    _stats: tuple[dict[str, int], dict[str, int]] | None = None


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

    def norm_expr(self, key: IdentityKey, column: str) -> str:
        """Normalized value, NULL when empty or a placeholder."""
        norm = normalized_sql(key, column)
        patterns = self.policy.placeholders.get(key.name, [])
        if not patterns:
            return norm
        return f"CASE WHEN {placeholder_sql(patterns, norm)} THEN NULL ELSE {norm} END"

    # ---------------------------------------------------------------- master index
    def _build_master(self) -> None:
        con, id_field = self.run.con, self.policy.id_field
        parts = []
        for feed in self.master_feeds:
            if id_field not in feed.fields:
                continue
            for key, col, raw in self.feed_keys(feed):
                parts.append(
                    f"SELECT {_lit(key.name)} AS key, {self.norm_expr(key, col)} AS norm, "
                    f"CAST({_q(raw)} AS VARCHAR) AS raw, "
                    f"CAST({_q(id_field)} AS VARCHAR) AS cid, {_lit(feed.channel_name)} AS channel "
                    f"FROM {feed.view_name}"
                )
        if not parts:
            self.ready = False
            return
        union = " UNION ALL ".join(parts)
        con.execute(
            f"CREATE TEMP TABLE id_pairs AS SELECT DISTINCT key, norm, cid, channel FROM ({union}) "
            "WHERE norm IS NOT NULL AND cid IS NOT NULL"
        )
        con.execute(
            f"CREATE TEMP TABLE id_raw AS SELECT DISTINCT key, raw FROM ({union}) WHERE raw IS NOT NULL"
        )
        con.execute(
            "CREATE TEMP TABLE id_values AS SELECT key, norm, count(DISTINCT cid) AS owners, "
            "min(cid) AS cid FROM id_pairs GROUP BY key, norm"
        )

    # ---------------------------------------------------------------- resolution
    def resolution(self, feed: FeedRun) -> Resolution | None:
        """Resolve every row of ``feed`` (a non-master feed with identity keys)."""
        if not self.ready or not feed.ok or feed.binding.entity == self.policy.master:
            return None
        if id(feed) in self._resolutions:
            return self._resolutions[id(feed)]
        keys = self.feed_keys(feed)
        if not keys:
            return None
        n = self.run.feeds.index(feed)
        table = f"res_{n}"
        threshold = self.policy.shared_threshold
        id_key = self.policy.id_field
        inner, joins, kept = [], [], []
        for i, (key, col, raw) in enumerate(keys):
            k, nk, rk = key.name, _q("n_" + key.name), _q("r_" + key.name)
            inner += [
                f"{self.norm_expr(key, col)} AS {nk}",
                f"CAST(v.{_q(raw)} AS VARCHAR) AS {rk}",
            ]
            joins.append(
                f"LEFT JOIN id_values m{i} ON m{i}.key = {_lit(k)} AND m{i}.norm = b.{nk} "
                f"LEFT JOIN id_raw x{i} ON x{i}.key = {_lit(k)} AND x{i}.raw = b.{rk}"
            )
            kept += [
                f"b.{nk}",
                # the raw value, kept only where it joins after normalization but not before
                f"CASE WHEN m{i}.owners >= 1 AND x{i}.raw IS NULL THEN b.{rk} END AS {_q('x_' + k)}",
                f"m{i}.cid AS {_q('c_' + k)}",
                f"m{i}.owners AS {_q('o_' + k)}",
            ]
        consent = self.run.project.settings.consent
        extras = {
            "__t": feed.contract.event_time,
            "__ch": consent.channel_field,
            "__dir": consent.direction_field,
            "__j": feed.contract.journey_key,
            "__status": "status",
            "__camp": consent.campaign_field,
            "__pk": feed.contract.primary_key,
            "__kind": "kind",
        }
        constants = []  # constant fields are not copied per row: the view adds them
        for alias, fname in extras.items():
            sql_type = "TIMESTAMPTZ" if alias == "__t" else "VARCHAR"
            f = feed.fields.get(fname) if fname else None
            if f is not None and f.constant:
                value = dict(feed.binding.constants).get(fname)
                constants.append(f"CAST({_lit(str(value))} AS {sql_type}) AS {alias}")
                continue
            source = f"v.{_q(fname)}" if f is not None else "NULL"
            inner.append(f"CAST({source} AS {sql_type}) AS {alias}")
            kept.append(f"b.{alias}")
        usable = [
            f"CASE WHEN {_q('o_' + k.name)} = 1 THEN {_q('c_' + k.name)} END" for k, _c, _r in keys
        ]
        via = " ".join(f"WHEN {_q('o_' + k.name)} = 1 THEN {_lit(k.name)}" for k, _c, _r in keys)
        any_ambiguous = " OR ".join(
            f"{_q('o_' + k.name)} BETWEEN 2 AND {threshold}" for k, _c, _r in keys
        )
        any_usable_key = " OR ".join(
            f"({_q('n_' + k.name)} IS NOT NULL AND coalesce({_q('o_' + k.name)}, 0) <= {threshold})"
            for k, _c, _r in keys
        )
        stored = [f"{_q('n_' + k.name)}" for k, _c, _r in keys]
        stored += [f"{_q('x_' + k.name)}" for k, _c, _r in keys]
        if any(k.name == id_key for k, _c, _r in keys):
            stored.append(_q("c_" + id_key))
        stored += [a for a in extras if f"b.{a}" in kept]
        packed = self.run.pack(
            f"{table}_t",
            f"SELECT {', '.join(stored)}, "
            f"coalesce({', '.join(usable)}) AS customer, CASE {via} END AS via, "
            f"CASE WHEN coalesce({', '.join(usable)}) IS NOT NULL THEN 'resolved' "
            f"WHEN {any_ambiguous} THEN 'ambiguous' "
            f"WHEN {any_usable_key} THEN 'orphan' ELSE 'no_key' END AS status "
            f"FROM (SELECT {', '.join(kept)} FROM (SELECT {', '.join(inner)} "
            f"FROM {feed.view_name} v) b {' '.join(joins)})",
        )
        extra_cols = "".join(", " + c for c in constants)
        self.run.con.execute(f"CREATE TEMP VIEW {table} AS SELECT *{extra_cols} FROM {packed}")
        res = Resolution(feed, table, [k for k, _c, _r in keys])
        self._resolutions[id(feed)] = res
        return res

    def stats(self, res: Resolution) -> tuple[dict[str, int], dict[str, int]]:
        """Rows per status, and resolved rows per key: one pass over the resolution table,
        shared by the checks that count a status and by the run's summary."""
        if res._stats is None:
            rows = self.run.con.execute(
                f"SELECT status, via, count(*) FROM {res.table} GROUP BY ALL"
            ).fetchall()
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

    def resolutions(self) -> list[Resolution]:
        out = []
        for feed in self.run.feeds:
            if feed.selected:
                res = self.resolution(feed)
                if res is not None:
                    out.append(res)
        return out
