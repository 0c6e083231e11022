"""Sidebar controls whose values live in the URL, so a link can be shared.

URL parameters (all optional; a default value is left out of the URL):

    lang=en            language (default ko)
    from=2026-01       first month of the range (default: first month of the data)
    to=2026-03         last month of the range (default: last month of the data)
    unit=M100          unit code (default: the ministry)
    fn=trade           unit function (default: all functions)

The controls are rendered by the entry script (``dashboards/app.py``) before
``st.navigation(...).run()``, so they exist on every page and keep their values
when the reader switches pages. Each run the entry script writes the current
values back into ``st.query_params``; a value arriving in the URL (first load,
an edited link, browser back/forward) wins over the remembered one.

Pages read the chosen values with ``filters()``. A page that drills down (the
Units page) calls ``request_unit(code)`` from a widget callback: the sidebar's unit
control adopts it on the next run, as if it came from the URL.

The function filter narrows lists of units (tables, heatmaps, the unit selector) to
the units of one function (``unit_monthly.function``); the selected unit's own
figures are never summed across units (distinct counts cannot be added).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl
import streamlit as st

from dashboards import data
from dashboards.i18n import (
    DEFAULT_LANG,
    LANG_KEY,
    LANG_NAMES,
    LANGS,
    fmt_month,
    function_label,
    normalize_lang,
    t,
)

PARAM_LANG = "lang"
PARAM_FROM = "from"
PARAM_TO = "to"
PARAM_UNIT = "unit"
PARAM_FUNCTION = "fn"

_WRITTEN = "_axmeter_url_written"  # what this session last wrote to the URL, per parameter
_FILTERS = "_axmeter_filters"
_MONTHS_DEFAULT = "_axmeter_months_default"  # the default range of the previous run
_GENERATIONS = "_axmeter_widget_generations"  # per control: suffix of its current widget key
_PENDING_UNIT = "_axmeter_pending_unit"  # a unit a page asked for (drill-down), adopted next run
_FORWARD = "_axmeter_forward"  # URL parameters carried over an st.switch_page
ALL = ""  # the function filter's "all functions" option


@dataclass(frozen=True)
class Filters:
    """The sidebar's choices, resolved against the data."""

    start: dt.date | None
    end: dt.date | None
    unit: str | None
    ministry: str | None  # the ministry's unit code (default unit)
    function: str | None = None  # None: every function

    @property
    def has_data(self) -> bool:
        return self.end is not None


# ---------------------------------------------------------------- URL helpers


def month_to_param(month: dt.date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def parse_month_param(raw: str | None) -> dt.date | None:
    """``2026-03`` (or a full ISO date) to the first of that month."""
    if not raw:
        return None
    try:
        parts = raw.strip().split("-")
        return dt.date(int(parts[0]), int(parts[1]), 1)
    except (ValueError, IndexError):
        return None


def _url_value(param: str) -> str | None:
    value = st.query_params.get(param)
    return value if value else None


def _written() -> dict[str, str | None]:
    return st.session_state.setdefault(_WRITTEN, {})


def _url_changed(*params: str) -> bool:
    """True when the URL carries a value for one of ``params`` that this session
    did not write itself (first load, a shared link, back/forward)."""
    written = _written()
    for param in params:
        raw = _url_value(param)
        if raw is not None and written.get(param, "\0unset") != raw:
            return True
    return False


def _write_url(param: str, text: str | None) -> None:
    """Put ``text`` in the URL (or remove the parameter when None / default)."""
    if text is None:
        if param in st.query_params:
            del st.query_params[param]
    elif st.query_params.get(param) != text:
        st.query_params[param] = text
    _written()[param] = text


def _resolve(
    name: str,
    valid: Callable[[Any], bool],
    fallback: Any,
    from_url: Any | None = None,
    adopt: bool = False,
    reset: bool = False,
) -> tuple[str, Any]:
    """The widget key and initial value for control ``name``.

    A value arriving in the URL (``adopt``), an invalid remembered value or a
    ``reset`` gives the widget a fresh key (``name__<n>``) with the new initial
    value; otherwise the widget keeps its key and the reader's choice. Session state
    is never written for a widget key, so Streamlit never sees a value set twice.
    """
    generations = st.session_state.setdefault(_GENERATIONS, {})
    key = f"{name}__{generations.get(name, 0)}"
    now = st.session_state.get(key)
    if adopt and from_url is not None and valid(from_url) and from_url != now:
        target = from_url
    elif reset or (now is not None and not valid(now)):
        target = fallback
    elif now is not None:
        return key, now  # as the reader left it
    else:
        return key, fallback  # first render of this key
    if key not in st.session_state:  # not rendered yet: no need for a new key
        return key, target
    generations[name] = generations.get(name, 0) + 1
    return f"{name}__{generations[name]}", target


# ---------------------------------------------------------------- controls


def language_selector() -> str:
    """The language radio (sidebar). Call first: every label depends on it."""
    raw = _url_value(PARAM_LANG)
    key, initial = _resolve(
        "lang",
        valid=lambda v: v in LANGS,
        fallback=DEFAULT_LANG,
        from_url=normalize_lang(raw) if raw else None,
        adopt=_url_changed(PARAM_LANG),
    )
    lang = st.sidebar.radio(
        t("app.language", lang=initial),
        LANGS,
        index=LANGS.index(initial),
        format_func=LANG_NAMES.__getitem__,
        key=key,
        horizontal=True,
    )
    lang = normalize_lang(lang)
    st.session_state[LANG_KEY] = lang  # read by i18n.current_lang()
    _write_url(PARAM_LANG, None if lang == DEFAULT_LANG else lang)
    return lang


def filter_controls(df: pl.DataFrame | None, lang: str) -> Filters:
    """Month range and unit (sidebar), remembered in the URL. Stored for pages."""
    if df is None or df.is_empty():
        result = Filters(start=None, end=None, unit=None, ministry=None)
        st.session_state[_FILTERS] = result
        return result

    months = data.months(df)
    first, last = months[0], months[-1]
    st.sidebar.subheader(t("filter.header"))

    # month range
    if len(months) >= 2:
        default_range = (first, last)
        # A reader who kept the default range follows a new publish (a new last month).
        previous_default = st.session_state.get(_MONTHS_DEFAULT)
        st.session_state[_MONTHS_DEFAULT] = default_range
        remembered = st.session_state.get(f"months__{st.session_state.get(_GENERATIONS, {}).get('months', 0)}")
        url_range = (
            parse_month_param(_url_value(PARAM_FROM)) or (remembered or default_range)[0],
            parse_month_param(_url_value(PARAM_TO)) or (remembered or default_range)[1],
        )
        url_range = (max(url_range[0], first), min(url_range[1], last))  # clamp to the data
        key, initial = _resolve(
            "months",
            valid=lambda v: isinstance(v, tuple) and len(v) == 2 and v[0] in months and v[1] in months and v[0] <= v[1],
            fallback=default_range,
            from_url=url_range,
            adopt=_url_changed(PARAM_FROM, PARAM_TO),
            reset=previous_default not in (None, default_range) and remembered == previous_default,
        )
        start, end = st.sidebar.select_slider(
            t("filter.months"),
            options=months,
            value=initial,  # a pair: a range slider with two thumbs
            format_func=lambda m: fmt_month(m, lang),
            key=key,
        )
    else:
        start = end = first
        st.sidebar.caption(t("filter.months_single", month=fmt_month(first, lang)))
    _write_url(PARAM_FROM, None if start == first else month_to_param(start))
    _write_url(PARAM_TO, None if end == last else month_to_param(end))

    # function (narrows the unit list)
    functions = data.functions(df)
    function = None
    if functions:
        options = [ALL, *functions]
        key, initial = _resolve(
            "fn",
            valid=lambda v: v in options,
            fallback=ALL,
            from_url=_url_value(PARAM_FUNCTION),
            adopt=_url_changed(PARAM_FUNCTION),
        )
        chosen = st.sidebar.selectbox(
            t("filter.function"),
            options,
            index=options.index(initial),
            format_func=lambda f: t("filter.function_all", lang) if f == ALL else function_label(f, lang),
            key=key,
        )
        function = chosen or None
    _write_url(PARAM_FUNCTION, function)

    # unit
    catalog = data.unit_catalog(df).filter(pl.col("unit_code") != data.UNATTRIBUTED)
    ministry = data.default_unit(df)
    if function:
        catalog = data.with_function(catalog, function, keep=(ministry,) if ministry else ())
    codes = catalog["unit_code"].to_list()
    labels = {
        rec["unit_code"]: "\u00a0\u00a0" * rec["depth"] + _unit_label(rec, lang)
        for rec in catalog.iter_rows(named=True)
    }
    unit = None
    pending = st.session_state.pop(_PENDING_UNIT, None)
    if codes:
        default_code = ministry if ministry in codes else codes[0]
        from_url, adopt = _url_value(PARAM_UNIT), _url_changed(PARAM_UNIT)
        if pending in codes:
            from_url, adopt = pending, True
        key, initial = _resolve(
            "unit",
            valid=lambda v: v in codes,
            fallback=default_code,
            from_url=from_url,
            adopt=adopt,
        )
        unit = st.sidebar.selectbox(
            t("filter.unit"),
            codes,
            index=codes.index(initial),
            format_func=lambda c: labels.get(c, c),
            key=key,
        )
        _write_url(PARAM_UNIT, None if unit == default_code else unit)

    result = Filters(start=start, end=end, unit=unit, ministry=ministry, function=function)
    st.session_state[_FILTERS] = result
    return result


def forward_query_params() -> None:
    """Keep this run's URL parameters for the next run (call just before ``st.switch_page``)."""
    st.session_state[_FORWARD] = {key: st.query_params.get(key) for key in st.query_params}


def restore_forwarded_query_params() -> None:
    """Put forwarded parameters back into the URL (the entry script calls this first): the
    controls then adopt them as if they came from a link."""
    forwarded = st.session_state.pop(_FORWARD, None)
    if not forwarded:
        return
    for key, value in forwarded.items():
        if value:
            st.query_params[key] = value
    st.session_state.pop(_WRITTEN, None)  # everything in the URL now counts as arriving from outside


def request_unit(code: str) -> None:
    """Ask the sidebar to select ``code`` on the next run (use as a widget callback)."""
    st.session_state[_PENDING_UNIT] = code


def _unit_label(rec: dict, lang: str) -> str:
    if lang == "en":
        return rec.get("unit_name_en") or rec.get("unit_name_ko") or rec["unit_code"]
    return rec.get("unit_name_ko") or rec.get("unit_name_en") or rec["unit_code"]


def filters() -> Filters:
    """The filters chosen in the sidebar during this run (set by the entry script)."""
    value = st.session_state.get(_FILTERS)
    if isinstance(value, Filters):
        return value
    return Filters(start=None, end=None, unit=None, ministry=None)
