"""Who may see the dashboard, and who is on the data team.

Without an ``[auth]`` section in ``.streamlit/secrets.toml`` the dashboard has no
sign-in: it is meant for localhost (``axmeter serve`` binds 127.0.0.1), and nobody
gets the data team's row-level detail (the data team has ``axmeter quarantine`` on
the pipeline host).

With ``[auth]`` configured (Streamlit's OpenID Connect support, ``st.login``), every
page asks for a sign-in first. The data-team role is read from ``[axmeter]`` in the
same secrets file, never from the URL or the browser:

    [auth]
    redirect_uri = "https://axmeter.ministry.go.kr/oauth2callback"
    cookie_secret = "a long random string"
    client_id = "..."
    client_secret = "..."
    server_metadata_url = "https://sso.ministry.go.kr/.well-known/openid-configuration"

    [axmeter]
    data_team_emails = ["kim.dataeng@ministry.go.kr"]   # any of these e-mails, or
    data_team_claim = "groups"                          # an identity-token claim ...
    data_team_values = ["axmeter-data-team"]            # ... holding one of these values
    auth_provider = "ministry"                          # optional: a named [auth.ministry]

Everything that reads ``st.user`` / ``st.secrets`` is here, so pages only ask
``is_data_team()``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

from dashboards.i18n import t

SECTION = "axmeter"


@dataclass(frozen=True)
class Viewer:
    """The person looking at the dashboard, as far as the dashboard knows."""

    auth_enabled: bool
    signed_in: bool
    email: str | None = None
    name: str | None = None
    data_team: bool = False


def _secrets_section(name: str) -> Mapping[str, Any] | None:
    """A secrets section, or None when there is no secrets file or no such section."""
    try:
        section = st.secrets.get(name)
    except Exception:  # no secrets.toml at all, or an unreadable one
        return None
    return section if isinstance(section, Mapping) else None


def auth_configured() -> bool:
    return _secrets_section("auth") is not None


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):
        return [str(v) for v in value]
    return [str(value)]


def is_data_team_user(user: Mapping[str, Any], settings: Mapping[str, Any] | None) -> bool:
    """Whether a signed-in user's identity claims give the data-team role (pure, testable).

    E-mails compare case-insensitively; a claim matches when its value (or any item of a
    list claim) is one of ``data_team_values``.
    """
    if not settings or not user:
        return False
    email = str(user.get("email") or "").strip().lower()
    emails = {e.strip().lower() for e in _as_list(settings.get("data_team_emails")) if e.strip()}
    if email and email in emails:
        verified = user.get("email_verified")
        if verified is None or bool(verified):
            return True
    claim = settings.get("data_team_claim")
    values = set(_as_list(settings.get("data_team_values")))
    if claim and values:
        held = set(_as_list(user.get(str(claim))))
        if held & values:
            return True
    return False


def _user_dict() -> dict[str, Any]:
    try:
        return dict(st.user.to_dict())
    except Exception:
        return {}


def current_viewer() -> Viewer:
    if not auth_configured():
        return Viewer(auth_enabled=False, signed_in=False)
    user = _user_dict()
    signed_in = bool(user.get("is_logged_in"))
    if not signed_in:
        return Viewer(auth_enabled=True, signed_in=False)
    return Viewer(
        auth_enabled=True,
        signed_in=True,
        email=user.get("email"),
        name=user.get("name"),
        data_team=is_data_team_user(user, _secrets_section(SECTION)),
    )


def is_data_team() -> bool:
    return current_viewer().data_team


def _authlib_installed() -> bool:
    try:
        from streamlit.auth_util import is_authlib_installed

        return bool(is_authlib_installed())
    except Exception:
        return False


def gate(lang: str) -> Viewer:
    """Stop the run with a sign-in screen when auth is configured and nobody is signed in.

    Without ``[auth]`` the dashboard runs as before (localhost). Fails closed: with
    ``[auth]`` but no Authlib installed, it explains and shows no data.
    """
    viewer = current_viewer()
    if not viewer.auth_enabled or viewer.signed_in:
        return viewer
    st.title(t("auth.title", lang))
    if not _authlib_installed():
        st.error(t("auth.no_authlib", lang), icon=":material/lock:")
        st.stop()
    st.write(t("auth.body", lang))
    settings = _secrets_section(SECTION) or {}
    provider = settings.get("auth_provider")
    if st.button(t("auth.login", lang), icon=":material/login:", type="primary"):
        st.login(str(provider)) if provider else st.login()
    st.stop()
    return viewer  # not reached


def sidebar_account(viewer: Viewer, lang: str) -> None:
    """Who is signed in, their role, and a sign-out button (only when auth is on)."""
    if not viewer.auth_enabled or not viewer.signed_in:
        return
    who = viewer.name or viewer.email or "?"
    role = t("auth.role_data_team" if viewer.data_team else "auth.role_reader", lang)
    st.sidebar.caption(t("auth.signed_in", lang, who=who, role=role))
    if st.sidebar.button(t("auth.logout", lang), icon=":material/logout:", key="axmeter_logout"):
        st.logout()
