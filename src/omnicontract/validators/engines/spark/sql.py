"""From the engine's SQL to Spark SQL, with the same meaning.

Checks are SQLAlchemy Core expressions compiled for DuckDB, the reference engine; this
module parses that text with sqlglot and writes it as Spark SQL. sqlglot handles the
grammar (quoting, casts, ``FILTER``, ``GROUP BY ALL``, ``arg_max`` -> ``max_by``); the
rules below fix what must keep DuckDB's meaning exactly:

- regular expressions: a full match (``regexp_full_match``) anchors the whole value, and
  ``.`` and ``$`` treat only ``\\n`` as a line break, as RE2 does (Java's ``(?d)`` flag);
- ``try_strptime``: strptime formats become Spark datetime patterns where each directive
  has an exact counterpart, and are parsed by a Python UDF on the executors otherwise;
- ``timezone(zone, local)`` (a local wall-clock time in a zone, as an instant) is
  ``to_utc_timestamp``; ``to_timestamp(seconds)`` keeps its fraction; ``epoch`` is in
  seconds with microseconds (``epoch(t)`` and ``extract(epoch from t)`` alike);
  ``date_diff('second', a, b)`` counts second boundaries;
- ``isfinite(x)`` (not infinite, not NaN) is ``abs(x) < Infinity``: Spark sorts NaN
  above every other double, so NaN is not less than infinity.

Values stay bound parameters (``?``): Spark binds them itself, nothing is pasted in.
"""

from __future__ import annotations

from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.tokens import TokenType

# strptime directive -> Spark datetime pattern, where the two parse the same inputs.
# DuckDB's numeric directives accept one or two digits (``%d`` reads "7" and "07"),
# like Spark's single-letter patterns; names of months and days are English in both.
DIRECTIVES = {
    "%Y": "yyyy",
    "%m": "M",
    "%d": "d",
    "%-m": "M",
    "%-d": "d",
    "%H": "H",
    "%-H": "H",
    "%M": "m",
    "%-M": "m",
    "%S": "s",
    "%-S": "s",
    "%I": "h",
    "%-I": "h",
    "%p": "a",
    "%b": "MMM",
    "%B": "MMMM",
    "%a": "EEE",
    "%A": "EEEE",
    "%j": "D",
    "%%": "%",
}
STRPTIME_UDF = "omnicontract_strptime"


NUMERIC = {"%Y", "%m", "%d", "%H", "%M", "%S", "%I", "%j"}


def _tokens(fmt: str) -> list[str] | None:
    out: list[str] = []
    i = 0
    while i < len(fmt):
        if fmt[i] == "%":
            token = fmt[i : i + 3] if fmt[i + 1 : i + 2] == "-" else fmt[i : i + 2]
            if token not in DIRECTIVES:
                return None
            out.append(token)
            i += len(token)
        else:
            out.append(fmt[i])
            i += 1
    return out


def spark_datetime_pattern(fmt: str) -> str | None:
    """The Spark pattern parsing exactly what strptime ``fmt`` parses, or None where a
    directive has no exact counterpart (then the value is parsed by a UDF). Numeric
    directives next to each other (``%Y%m%d``) take their full width, as in strptime."""
    tokens = _tokens(fmt)
    if tokens is None:
        return None
    out: list[str] = []
    for i, token in enumerate(tokens):
        if token in DIRECTIVES:
            pattern = DIRECTIVES[token]
            near = tokens[i - 1 : i] + tokens[i + 1 : i + 2]
            if token.replace("-", "") in NUMERIC and any(
                t.replace("-", "") in NUMERIC for t in near
            ):
                pattern = {"D": "DDD", "yyyy": "yyyy"}.get(pattern, pattern * 2)
            out.append("'%'" if pattern == "%" else pattern)
        elif token.isalpha() or token == "'":
            out.append("'" + token.replace("'", "''") + "'")
        else:
            out.append(token)
    return "".join(out)


def _full_match(node: exp.RegexpFullMatch) -> exp.Expression:
    pattern = node.expression
    if isinstance(pattern, exp.Literal) and pattern.is_string:
        anchored: exp.Expression = exp.Literal.string(f"(?d)^(?:{pattern.this})\\z")
    else:
        anchored = exp.func(
            "concat", exp.Literal.string("(?d)^(?:"), pattern, exp.Literal.string(")\\z")
        )
    return exp.RegexpLike(this=node.this, expression=anchored)


def _partial_match(node: exp.RegexpLike) -> exp.Expression:
    pattern = node.expression
    if isinstance(pattern, exp.Literal) and pattern.is_string:
        if pattern.this.startswith("(?d)"):
            return node
        flagged: exp.Expression = exp.Literal.string("(?d)" + pattern.this)
    else:
        flagged = exp.func("concat", exp.Literal.string("(?d)"), pattern)
    return exp.RegexpLike(this=node.this, expression=flagged)


def _literal_of(node: exp.Expression, args: dict[str, Any]) -> str | None:
    """The text of a string literal, or of a parameter bound to a string."""
    if isinstance(node, exp.Literal) and node.is_string:
        return str(node.this)
    if isinstance(node, exp.Placeholder) and isinstance(args.get(node.name), str):
        return str(args[node.name])
    return None


def _strptime(node: exp.Anonymous, args: dict[str, Any]) -> exp.Expression:
    value, fmt = node.expressions
    text = _literal_of(fmt, args)
    pattern = spark_datetime_pattern(text) if text is not None else None
    if pattern is not None:
        return exp.Anonymous(
            this="try_to_timestamp", expressions=[value, exp.Literal.string(pattern)]
        )
    return exp.Anonymous(this=STRPTIME_UDF, expressions=[value, fmt])


def _same(expr: exp.Expression, args: dict[str, Any]) -> str:
    """A key for comparing expressions: parameters stand for their values."""
    copy = expr.copy()
    for node in list(copy.walk()):
        if isinstance(node, exp.Placeholder) and node.name in args:
            value = repr(args[node.name])
            if node is copy:
                return value
            node.replace(exp.Literal.string(value))
    return copy.sql(dialect="duckdb")


def _order_by_alias(node: exp.Select, args: dict[str, Any]) -> None:
    """``ORDER BY count(*)`` where ``count(*) AS n`` is selected becomes ``ORDER BY n``:
    Spark cannot sort on an aggregate next to a window function; the order is the same."""
    order = node.args.get("order")
    if order is None:
        return
    aliases = {
        _same(proj.this, args): proj.alias
        for proj in node.expressions
        if isinstance(proj, exp.Alias) and proj.alias
    }
    for ordered in order.expressions:
        alias = aliases.get(_same(ordered.this, args))
        if alias:
            ordered.set("this", exp.column(alias, quoted=True))


def _unit(node: exp.DateDiff, args: dict[str, Any]) -> str:
    """The unit of a ``date_diff``, written in the statement or bound as a parameter."""
    unit = node.args.get("unit")
    if isinstance(unit, exp.Placeholder):
        return str(args.get(unit.name, "")).upper()
    return node.text("unit").upper()


def _epoch_seconds(value: exp.Expression) -> exp.Expression:
    """Seconds since 1970 (UTC) with their fraction, as DuckDB's ``epoch``."""
    micros = exp.Anonymous(this="unix_micros", expressions=[value])
    return exp.Paren(this=exp.Div(this=micros, expression=exp.Literal.number("1000000.0")))


def _finite(value: exp.Expression) -> exp.Expression:
    infinity = exp.cast(exp.Literal.string("Infinity"), exp.DataType.build("double"))
    return exp.LT(this=exp.Abs(this=value), expression=infinity)


def _whole(node: exp.TryCast) -> exp.Expression:
    """``TRY_CAST(x AS BIGINT)`` through an exact decimal: Spark reads no whole number
    written with a fraction ('2.0') as a BIGINT, DuckDB does (the grammar admits '.0')."""
    exact = node.copy()
    exact.set("to", exp.DataType.build("DECIMAL(38, 0)"))
    outer = node.copy()
    outer.set("this", exact)
    return outer


def _anonymous(node: exp.Anonymous, args: dict[str, Any]) -> exp.Expression:
    name = node.name.lower()
    if name == "try_strptime":
        return _strptime(node, args)
    if name == "isfinite" and len(node.expressions) == 1:
        return _finite(node.expressions[0])
    if name == "timezone" and len(node.expressions) == 2:
        zone, local = node.expressions
        return exp.Anonymous(this="to_utc_timestamp", expressions=[local, zone])
    return node


def _rewrite(node: exp.Expression, args: dict[str, Any]) -> exp.Expression:
    if isinstance(node, exp.Select):
        _order_by_alias(node, args)
    if isinstance(node, exp.RegexpFullMatch):
        return _full_match(node)
    if isinstance(node, exp.RegexpLike):
        return _partial_match(node)
    if isinstance(node, exp.Anonymous):
        return _anonymous(node, args)
    if isinstance(node, exp.TryCast) and node.to.is_type(exp.DataType.Type.BIGINT):
        return _whole(node)
    if isinstance(node, exp.UnixToTime) and not node.args.get("scale"):
        return exp.Anonymous(this="timestamp_seconds", expressions=[node.this])
    if isinstance(node, exp.TimeToUnix):
        return _epoch_seconds(node.this)
    if isinstance(node, exp.Extract) and node.name.upper() == "EPOCH":
        return _epoch_seconds(node.expression)
    if isinstance(node, exp.DateDiff) and _unit(node, args) == "SECOND":
        start = exp.Anonymous(this="unix_seconds", expressions=[node.expression])
        end = exp.Anonymous(this="unix_seconds", expressions=[node.this])
        return exp.Paren(this=exp.Sub(this=end, expression=start))
    return node


def _name_parameters(sql: str, params: list[Any]) -> tuple[str, dict[str, Any]]:
    """Give each positional ``?`` of ``sql`` a name (``$p0``, ``$p1``... in the order of
    the text): rewrites may reorder arguments, and names keep each value with its place.
    The tokenizer finds the markers, so a ``?`` inside a string or a name is left alone."""
    tokens = sqlglot.Dialect.get_or_raise("duckdb").tokenize(sql)
    marks = [t for t in tokens if t.token_type == TokenType.PLACEHOLDER and t.text == "?"]
    if len(marks) != len(params):
        raise ValueError(f"{len(params)} parameters for {len(marks)} markers")
    pieces, last = [], 0
    for i, t in enumerate(marks):
        pieces += [sql[last : t.start], f"$p{i}"]
        last = t.end + 1
    pieces.append(sql[last:])
    return "".join(pieces), {f"p{i}": value for i, value in enumerate(params)}


def translate(sql: str, params: list[Any] | None = None) -> tuple[str, dict[str, Any]]:
    """A DuckDB statement and its positional parameters, as Spark SQL and named
    parameters (see the module docstring)."""
    named, args = _name_parameters(sql, list(params or []))
    tree = sqlglot.parse_one(named, read="duckdb")
    # innermost first, so a rewritten call's arguments are rewritten too
    for node in reversed(list(tree.walk())):
        new = _rewrite(node, args)
        if new is not node:
            if node is tree:
                tree = new
            else:
                node.replace(new)
    used = {n.name for n in tree.walk() if isinstance(n, exp.Placeholder)}
    return tree.sql(dialect="spark"), {k: v for k, v in args.items() if k in used}


def to_spark(sql: str) -> str:
    """The Spark SQL text of a DuckDB statement without parameters."""
    return translate(sql)[0]
