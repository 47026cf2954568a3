"""What runs in Python on Spark's executors: phone normalization and the strptime
formats that have no Spark datetime pattern. Each is a vectorized (pandas) UDF over a
batch of values; a batch normalizes each of its distinct values once. Nothing is
collected to the driver. (Spark reads the type hints of these functions at run time,
so this module keeps real annotations and imports pandas at the top: only the Spark
engine imports it.)"""

from datetime import UTC, datetime
from typing import Any

import pandas as pd

from omnicontract.validators.engines.spark.sql import STRPTIME_UDF
from omnicontract.validators.normalize import to_e164


def phone_batch(values: pd.Series, region: str | None, international: bool) -> pd.Series:
    """E.164 for each value of a batch (None where it is not a valid number)."""
    distinct = {v: to_e164(v, region, international) for v in values.dropna().unique()}
    return values.map(distinct).astype(object).where(values.notna(), None)


def phone_udf(region: str | None, international: bool) -> Any:
    """A pandas UDF: raw phone text -> E.164."""
    from pyspark.sql.functions import pandas_udf

    def e164(values: pd.Series) -> pd.Series:
        return phone_batch(values, region, international)

    return pandas_udf(e164, "string")  # type: ignore[call-overload]


def parse_time(text: str | None, fmt: str) -> datetime | None:
    """strptime, as an instant in UTC (naive values are UTC wall-clock times)."""
    if text is None:
        return None
    try:
        value = datetime.strptime(text, fmt)
    except ValueError:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def strptime_batch(values: pd.Series, formats: pd.Series) -> pd.Series:
    parsed = [
        parse_time(v, f) if isinstance(v, str) and isinstance(f, str) else None
        for v, f in zip(values, formats, strict=True)
    ]
    return pd.Series(pd.to_datetime(parsed), index=values.index, dtype="datetime64[us]")


def register(session: Any) -> None:
    """Register the SQL-callable UDFs on ``session``."""
    from pyspark.sql.functions import pandas_udf

    session.udf.register(STRPTIME_UDF, pandas_udf(strptime_batch, "timestamp"))  # type: ignore[call-overload]
