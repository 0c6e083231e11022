"""Definitions: the published metric dictionary (metric_dictionary.json): conventions, every
mart and column, k and the assisted-minutes coefficients."""

from __future__ import annotations

import streamlit as st

from dashboards import components, data, views
from dashboards.i18n import current_lang, label_or, t
from dashboards.views import Col

lang = current_lang()
st.title(t("definitions.page_title"))
k = data.privacy_k()

st.markdown(t("definitions.body", k=k))

try:
    dictionary = data.load_metric_dictionary()
except data.PublishedDataError as exc:
    components.data_error(exc)
    st.stop()

st.caption(
    t("definitions.version", version=dictionary.get("metric_version", "–"), k=dictionary.get("k", k))
    + ("  \n" + t("definitions.english_only") if lang == "ko" else "")
)
query = st.text_input(t("definitions.search"), key="definitions_search", placeholder=t("definitions.search_hint"))
needle = (query or "").strip().lower()

conventions = dictionary.get("conventions") or {}
if conventions:
    st.subheader(t("definitions.conventions"))
    records = [
        {"term": label_or(f"convention.{key}", key, lang), "code": key, "definition": str(text)}
        for key, text in conventions.items()
    ]
    records = [r for r in records if not needle or needle in " ".join(map(str, r.values())).lower()]
    table = views.build_table(
        records,
        [Col("term", "col.term", "text"), Col("definition", "col.definition", "text")],
        lang,
        k,
        size_key=None,
    )
    components.table(table, key="definitions_conventions", filename="conventions", lang=lang, k=k, prose=True)

marts = dictionary.get("marts") or {}
if marts:
    st.subheader(t("definitions.marts"))
    all_rows = []
    for name, spec in marts.items():
        for column, meta in ((spec or {}).get("columns") or {}).items():
            meta = meta or {}
            all_rows.append(
                {
                    "mart": name,
                    "column": column,
                    "label_ko": meta.get("label_ko") or "",
                    "definition": meta.get("definition") or "",
                }
            )
    columns = [
        Col("column", "col.column", "text"),
        Col("label_ko", "col.label_ko", "text"),
        Col("definition", "col.definition", "text"),
    ]
    if needle:  # every mart's matching columns in one table
        rows = [r for r in all_rows if needle in " ".join(map(str, r.values())).lower()]
        st.caption(t("definitions.matches", n=len(rows)))
        table = views.build_table(rows, [Col("mart", "col.mart", "text"), *columns], lang, k, size_key=None)
        components.table(table, key="definitions_matches", filename="dictionary_matches", lang=lang, k=k,
                         prose=True)
    else:
        name = st.selectbox(
            t("definitions.mart"),
            list(marts),
            format_func=lambda m: f"{label_or(f'mart.{m}', m, lang)} · {m}",
            key="definitions_mart",
        )
        spec = marts[name] or {}
        st.markdown(spec.get("description") or "")
        facts = []
        if spec.get("grain"):
            facts.append(t("definitions.grain", grain=spec["grain"]))
        if spec.get("group_size"):
            facts.append(t("definitions.group_size", size=spec["group_size"], k=dictionary.get("k", k)))
        if facts:
            st.caption("  \n".join(facts))
        table = views.build_table([r for r in all_rows if r["mart"] == name], columns, lang, k, size_key=None)
        components.table(table, key=f"definitions_{name}", filename=f"dictionary_{name}", lang=lang, k=k,
                         prose=True)
    everything = views.build_table(all_rows, [Col("mart", "col.mart", "text"), *columns], lang, k, size_key=None)
    st.download_button(
        t("definitions.download_all"),
        data=everything.csv_bytes(),
        file_name=f"axmeter_metric_dictionary_{lang}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        key="definitions_all_csv",
    )

minutes = dictionary.get("assisted_minutes") or {}
if minutes.get("features"):
    st.subheader(t("definitions.coefficients"))
    st.caption(t("productivity.coefficients_note", version=minutes.get("version", "–"), unit=minutes.get("unit", "")))
    records = [{"code": name, **(spec or {})} for name, spec in minutes["features"].items()]
    records.append({"code": "*", **(minutes.get("default") or {})})
    table = views.build_table(
        records,
        [
            Col("code", "col.feature", "text"),
            Col("low", "col.minutes_low", "int"),
            Col("central", "col.minutes_central", "int"),
            Col("high", "col.minutes_high", "int"),
            Col("source", "col.source_note", "text"),
        ],
        lang,
        k,
        size_key=None,
    )
    components.table(table, key="definitions_coefficients", filename="assisted_minutes", lang=lang, k=k,
                     prose=True)
