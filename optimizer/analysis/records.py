"""Tables as JSON records: one dict per row, Python values only, NaN and inf as None.

Shared by every stage that hands a table to a program (the JSON of a plan, a cross-check,
a comparison); built a whole column at a time.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype


def _clean(value: Any) -> Any:
    """JSON has no inf or NaN: both become null (no limit, or not available)."""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if hasattr(value, "item"):
        return _clean(value.item())
    return value


def _records(frame: pd.DataFrame) -> list[dict]:
    """One dict per row, Python values only; NaN and inf become None (see _clean)."""
    plain = frame.columns.is_unique and len(frame.columns) > 0
    columns = [_column(frame[name]) for name in frame.columns] if plain else [None]
    if any(c is None for c in columns):
        return [{k: _clean(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]
    keys = frame.columns.tolist()
    return [dict(zip(keys, values)) for values in zip(*columns)]


def _column(series: pd.Series) -> list | None:
    """A column as cleaned Python values, a whole column at a time (None: not this kind)."""
    dtype = series.dtype
    kind = dtype.kind if isinstance(dtype, np.dtype) else None
    if kind == "f":
        values = series.to_numpy()
        out = values.tolist()
        for i in np.flatnonzero(~np.isfinite(values)).tolist():
            out[i] = None
        return out
    if kind is not None and kind in "biu":
        return series.to_numpy().tolist()
    if isinstance(dtype, pd.StringDtype):  # text; a gap (NaN or pd.NA) is None
        out = series.tolist()
        for i in np.flatnonzero(series.isna().to_numpy()).tolist():
            out[i] = None
        return out
    if kind == "O":
        values = series.to_numpy()
        out = values.tolist()
        if infer_dtype(values, skipna=True) == "string":  # text, with None or NaN for gaps
            gaps = np.flatnonzero(pd.isna(values)).tolist()
            if all(type(out[i]) in _PLAIN for i in gaps):
                for i in gaps:
                    out[i] = _clean(out[i])
                return out
        if all(type(v) in _PLAIN for v in out):
            return [_clean(v) if type(v) is float else v for v in out]
    return None


_PLAIN = (str, float, int, bool, type(None))
