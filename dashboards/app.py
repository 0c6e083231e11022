"""axmeter dashboard: entry script.

Run it with ``streamlit run dashboards/app.py`` (or ``axmeter serve``). It reads
only ``$AXMETER_HOME/published/`` (default ``./data/published``).

This script is the frame every page shares: page config, the published release
this run reads (``published/current`` resolved once), the sign-in when configured
(``dashboards/access.py``), the language and filter controls in the sidebar (kept in
the URL: ``?lang=en&from=2026-01&to=2026-03&unit=...&fn=trade``), the data window /
last publish note, and the navigation. Pages live in ``dashboards/app_pages/`` and
stay thin: they read ``state.filters()`` and the data module, and render.

Adding a page: write ``app_pages/<name>.py``, add one ``PageDef`` to ``PAGES``,
and add its ``page.<name>`` label (and section label if new) to both
languages in ``i18n.LABELS``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

# `streamlit run dashboards/app.py` puts dashboards/ on sys.path, not the repo root.
_ROOT = Path(__file__).resolve().parents[1]
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

import streamlit as st  # noqa: E402

from dashboards import access, components, data, state  # noqa: E402
from dashboards.i18n import t  # noqa: E402

PAGES_DIR = Path(__file__).resolve().parent / "app_pages"


@dataclass(frozen=True)
class PageDef:
    file: str  # in app_pages/
    label_key: str  # i18n key of the page title
    icon: str
    section: str  # i18n key of the navigation section
    url_path: str  # stable across languages, so links keep working
    default: bool = False
    hidden: bool = False  # reachable by URL, not listed in the navigation


PAGES: tuple[PageDef, ...] = (
    PageDef("overview.py", "page.overview", ":material/dashboard:", "nav.section.usage", "overview", default=True),
    PageDef("units.py", "page.units", ":material/account_tree:", "nav.section.usage", "units"),
    PageDef("features.py", "page.features", ":material/apps:", "nav.section.usage", "features"),
    PageDef("productivity.py", "page.productivity", ":material/schedule:", "nav.section.usage", "productivity"),
    PageDef("training.py", "page.training", ":material/school:", "nav.section.impact", "training"),
    PageDef("governance.py", "page.governance", ":material/policy:", "nav.section.operations", "governance"),
    PageDef("quality.py", "page.quality", ":material/fact_check:", "nav.section.operations", "quality"),
    PageDef("definitions.py", "page.definitions", ":material/menu_book:", "nav.section.reference", "definitions"),
    PageDef("adoption.py", "page.overview", ":material/dashboard:", "nav.section.usage", "adoption", hidden=True),
)


def build_navigation():
    sections: dict[str, list] = {}
    for page in PAGES:
        sections.setdefault(t(page.section), []).append(
            st.Page(
                PAGES_DIR / page.file,
                title=t(page.label_key),
                icon=page.icon,
                url_path=page.url_path,
                default=page.default,
                visibility="hidden" if page.hidden else "visible",
            )
        )
    return st.navigation(sections)


def main() -> None:
    st.set_page_config(page_title="axmeter", page_icon=":material/monitoring:", layout="wide")
    data.pin_release()  # every read of this run comes from one release
    state.restore_forwarded_query_params()  # an old /adoption link, forwarded to Overview

    lang = state.language_selector()
    viewer = access.gate(lang)  # a sign-in screen (and stop) when auth is configured
    navigation = build_navigation()

    info_df = None
    try:
        k = data.privacy_k()
        info_df = data.load_unit_monthly(k)
    except data.PublishedDataError:
        pass  # the page explains what is missing; the sidebar shows no filters
    state.filter_controls(info_df, lang)
    components.publish_info(data.load_publish_info(info_df), lang)
    access.sidebar_account(viewer, lang)

    navigation.run()


main()
