"""The first dashboard's Adoption page, folded into Overview (cards, trend, unit table) and Units
(heatmap). Kept as a hidden page so that old links (``/adoption?unit=...&lang=en``) land on
Overview with their filters: ``st.switch_page`` drops the URL and the sidebar's widget state,
so the parameters travel in session state and the next run puts them back (``state.forward``)."""

import streamlit as st

from dashboards import state

state.forward_query_params()
st.switch_page("app_pages/overview.py")
