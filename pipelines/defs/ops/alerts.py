"""Alerts: a failed run is recorded in $AXMETER_HOME/alerts/alerts.jsonl and, when configured,
posted to a webhook and mailed through a relay.

The alert file is not in the warehouse on purpose: a failing run may hold DuckDB's lock, and
an alert must never wait for it. A channel that fails is logged and the others still run:
alerting must not fail the sensor that reports the failure.

Configuration (environment, read when an alert is sent):

| variable | meaning |
|---|---|
| AXMETER_ALERT_WEBHOOK | URL that receives an HTTP POST of the alert as JSON (with a `text` line for chat tools) |
| AXMETER_SMTP_HOST, AXMETER_SMTP_PORT | mail relay (port 25 unless set) |
| AXMETER_ALERT_MAIL_TO, AXMETER_ALERT_MAIL_FROM | comma-separated recipients; sender (default axmeter@<host>) |
| AXMETER_SMTP_STARTTLS, AXMETER_SMTP_USER, AXMETER_SMTP_PASSWORD | optional: STARTTLS (1) and login |
| AXMETER_DAGSTER_URL | optional: the Dagster UI's address, for a link to the run |
"""

from __future__ import annotations

import json
import os
import smtplib
import socket
import urllib.request
from collections.abc import Mapping
from datetime import datetime, timezone
from email.message import EmailMessage
from pathlib import Path

from pipelines.settings import TIMEZONE

ALERTS_FILE = Path("alerts") / "alerts.jsonl"
WEBHOOK_TIMEOUT_SECONDS = 5
SMTP_TIMEOUT_SECONDS = 10
MAX_MESSAGE_CHARS = 2000


def alerts_path(home_root: Path) -> Path:
    return home_root / ALERTS_FILE


def run_failure_alert(
    run_id: str, job_name: str, tags: Mapping[str, str], message: str, failed_steps: list[str],
    dagster_url: str | None = None,
) -> dict:
    partition = tags.get("dagster/partition")
    start, end = tags.get("dagster/asset_partition_range_start"), tags.get("dagster/asset_partition_range_end")
    window = partition or (f"{start} .. {end}" if start and end else None)
    alert = {
        "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "kind": "run_failure",
        "run_id": run_id,
        "job": job_name,
        "partitions": window,
        "failed_steps": failed_steps,
        "message": message.strip()[:MAX_MESSAGE_CHARS],
        "timezone": TIMEZONE,
    }
    if dagster_url:
        alert["url"] = f"{dagster_url.rstrip('/')}/runs/{run_id}"
    what = f"{job_name} ({window})" if window else job_name
    steps = f" in {', '.join(failed_steps)}" if failed_steps else ""
    first_line = alert["message"].splitlines()[0] if alert["message"] else "see the run in Dagster"
    alert["text"] = f"axmeter: run {run_id[:8]} of {what} failed{steps}: {first_line}"
    return alert


def record(home_root: Path, alert: dict) -> Path:
    """Append the alert as one JSON line (one write, so concurrent writers do not interleave)."""
    path = alerts_path(home_root)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(alert, ensure_ascii=False, default=str) + "\n"
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(line)
    return path


def post_webhook(url: str, alert: dict, timeout: float = WEBHOOK_TIMEOUT_SECONDS) -> int:
    request = urllib.request.Request(
        url, data=json.dumps(alert, ensure_ascii=False, default=str).encode("utf-8"), method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "axmeter-alerts"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (configured URL)
        return response.status


def send_mail(alert: dict, env: Mapping[str, str]) -> None:
    recipients = [r.strip() for r in env.get("AXMETER_ALERT_MAIL_TO", "").split(",") if r.strip()]
    if not recipients:
        raise ValueError("AXMETER_SMTP_HOST is set but AXMETER_ALERT_MAIL_TO is empty: nobody to mail")
    message = EmailMessage()
    message["Subject"] = alert["text"][:150]
    message["From"] = env.get("AXMETER_ALERT_MAIL_FROM") or f"axmeter@{socket.getfqdn()}"
    message["To"] = ", ".join(recipients)
    message.set_content(json.dumps(alert, indent=2, ensure_ascii=False, default=str))
    port = int(env.get("AXMETER_SMTP_PORT") or 25)
    with smtplib.SMTP(env["AXMETER_SMTP_HOST"], port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if env.get("AXMETER_SMTP_STARTTLS", "").lower() in ("1", "true", "yes"):
            smtp.starttls()
        if env.get("AXMETER_SMTP_USER"):
            smtp.login(env["AXMETER_SMTP_USER"], env.get("AXMETER_SMTP_PASSWORD", ""))
        smtp.send_message(message)


def deliver(home_root: Path, alert: dict, log, env: Mapping[str, str] | None = None) -> dict[str, str]:
    """Record the alert, then notify every configured channel. Returns channel -> outcome;
    never raises."""
    env = os.environ if env is None else env
    outcome: dict[str, str] = {}
    try:
        outcome["file"] = str(record(home_root, alert))
    except OSError as exc:
        outcome["file"] = f"failed: {exc}"
        log.error(f"could not record the alert in {alerts_path(home_root)}: {exc}")
    if env.get("AXMETER_ALERT_WEBHOOK"):
        try:
            outcome["webhook"] = f"HTTP {post_webhook(env['AXMETER_ALERT_WEBHOOK'], alert)}"
        except Exception as exc:  # noqa: BLE001 - any failure of the channel is logged, not raised
            outcome["webhook"] = f"failed: {exc}"
            log.warning(f"alert webhook failed ({exc}); the alert is in {alerts_path(home_root)}")
    if env.get("AXMETER_SMTP_HOST"):
        try:
            send_mail(alert, env)
            outcome["mail"] = "sent"
        except Exception as exc:  # noqa: BLE001
            outcome["mail"] = f"failed: {exc}"
            log.warning(f"alert mail failed ({exc}); the alert is in {alerts_path(home_root)}")
    return outcome
