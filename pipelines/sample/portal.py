"""Portal gateway export: LiteLLM SpendLogs, one JSON object per line, one file per KST day."""

import json
import re
from datetime import datetime, timedelta

import numpy as np
import polars as pl

from pipelines.sample import faults
from pipelines.sample.activity import Activity, event_seconds
from pipelines.sample.delivery import LandedFile
from pipelines.sample.faults import SourceOutput
from pipelines.sample.ids import hex_ids, uuid_ids, uuid_series
from pipelines.sample.org import Organisation
from pipelines.sample.vocab import (BLOCKED_PROMPT, BLOCKED_RESPONSE, EMBEDDING_INPUTS,
                                    PORTAL_PROMPTS, PORTAL_RESPONSES)
from pipelines.sample.workdays import KST, Calendar
from pipelines.sample.workforce import Workforce

SOURCE = "portal"
SERVICES = ("chat", "translate", "summarize", "draft", "code", "search", "image")
SERVICE_SHARE = (0.45, 0.12, 0.15, 0.12, 0.05, 0.08, 0.03)
IMAGE = SERVICES.index("image")
FAVOURITE_SHARE = 0.45  # share of a person's requests that go to their favourite service
PROMPT_TOKENS = (600, 1200, 3500, 900, 800, 300, 60)  # median per service
COMPLETION_TOKENS = (350, 1100, 450, 1100, 500, 250, 0)

# model, model_group, provider, USD per 1k prompt tokens, per 1k completion tokens, per request
MODELS = (
    ("gpt-4.1", "gpt-4.1", "azure", 0.002, 0.008, 0.0),
    ("gpt-4.1-mini", "gpt-4.1-mini", "azure", 0.0004, 0.0016, 0.0),
    ("claude-sonnet-4-20250514", "claude-sonnet", "anthropic", 0.003, 0.015, 0.0),
    ("LGAI-EXAONE/EXAONE-3.5-32B-Instruct", "exaone-3.5", "vllm", 0.0, 0.0, 0.0),
    ("gpt-image-1", "gpt-image-1", "azure", 0.005, 0.0, 0.04),
    ("text-embedding-3-large", "text-embedding-3-large", "azure", 0.00013, 0.0, 0.0),
    ("BAAI/bge-m3", "bge-m3", "vllm", 0.0, 0.0, 0.0),
    ("omni-moderation-latest", "omni-moderation", "openai", 0.0, 0.0, 0.0),
    ("BAAI/bge-reranker-v2-m3", "bge-reranker", "vllm", 0.0, 0.0, 0.0),
    ("whisper-1", "whisper", "azure", 0.0, 0.0, 0.006),
)
IMAGE_MODEL, EMBED_MODELS, MODERATION_MODEL, RERANK_MODEL, WHISPER_MODEL = 4, (5, 6), 7, 8, 9
# Chat models (the first four) per non-image service.
CHAT_MODEL_SHARE = np.array([[0.35, 0.15, 0.25, 0.25], [0.20, 0.40, 0.10, 0.30],
                             [0.30, 0.20, 0.25, 0.25], [0.35, 0.10, 0.35, 0.20],
                             [0.30, 0.10, 0.50, 0.10], [0.20, 0.40, 0.10, 0.30]])

CALL_TYPES = ("acompletion", "aresponses", "completion", "aembedding", "amoderation",
              "atranscription", "aimage_generation", "arerank")
ACOMPLETION, ARESPONSES, COMPLETION, AEMBEDDING, AMODERATION, ATRANSCRIPTION, AIMAGE, ARERANK = range(8)
COMPLETION_LIKE = (ACOMPLETION, ARESPONSES, COMPLETION)
SYSTEM_CALLS = (AEMBEDDING, AMODERATION, ARERANK)  # quick, no generated text, never guarded
USER_CALL_SHARE = (0.88, 0.04, 0.01, 0.04, 0.02, 0.01)  # the call types up to atranscription
SERVICE_CALL_SHARE = {AEMBEDDING: 0.5, ARERANK: 0.2, AMODERATION: 0.15, ACOMPLETION: 0.15}
SERVICE_ACCOUNTS = ("svc-rag-indexer", "svc-minwon-bot")
SERVICE_KEY_SHARE = 0.035
BLOCKED_SHARE, FAILURE_SHARE, BLOCKED_LOGGED_AS_FAILURE = 0.015, 0.012, 0.6
GUARDRAIL_NO_RESPONSE = 0.002
SERVICE_IN_TAGS_SHARE, NO_SERVICE_SHARE = 0.08, 0.02
GUARDRAIL_STATUSES = ("not_run", "success", "guardrail_intervened", "guardrail_failed_to_respond")
USER_VARIANT_SHARE, EMAIL_SHARE, NO_TEAM_SHARE, NO_DURATION_SHARE = 0.02, 0.12, 0.1, 0.15
TIMESTAMP_STYLES = ("Z", "+09:00", "no offset")
TIMESTAMP_STYLE_SHARE = (0.85, 0.12, 0.03)
GZIP_SHARE, SPLIT_SHARE, SIDECAR_SHARE = 0.12, 0.03, 0.25
DELIVERY_HOUR, LATE_DAYS = 6, 5

# File-level faults at the default size (days are distinct).
FILE_FAULTS = {"duplicate_key_identical": 2, "duplicate_key_changed": 1, "duplicate_file": 2,
               "late_file": 1, "cut_last_line": 1, "corrupt_gzip": 1, "wrong_encoding": 1,
               "sidecar_mismatch": 1}
DAMAGED_PART_EVENTS = 40  # a damaged `_2` part holds the last events of its day
ROW_FAULTS = {"unknown_employee": 30, "unknown_feature": 20, "future_timestamp": 3,
              "before_start_timestamp": 3, "bad_timestamp": 3, "non_numeric_tokens": 3,
              "missing_request_id": 3}
UNKNOWN_FEATURE = "legal_qa"
DEFAULT_EVENTS = 700_000  # about what the default size produces; row-fault counts scale from it


def build_portal(activity: Activity, staff: Workforce, org: Organisation, cal: Calendar,
                 rng: np.random.Generator) -> SourceOutput:
    people = _people(staff, org, rng)
    table = _events(activity, staff, people, cal, rng)
    total = table.height
    fault_days = faults.pick_fault_days(np.bincount(table["day"].to_numpy(), minlength=cal.n_days),
                                        FILE_FAULTS, rng, with_next_day=faults.DUPLICATE_KEY)
    table, specs, expected, styles = _plan_files(table, cal, fault_days, rng)
    table, copies = _inject_row_faults(table, specs, fault_days, cal, total, rng)
    table = faults.number_lines(table, copies, header_lines=0)
    quarantined = {n for n, s in specs.items()
                   if s.damage == "corrupt_gzip" or s.encoding == "cp949" or s.sidecar == "mismatch"}
    truth = {
        "faults": faults.merge_truth(faults.file_fault_truth(SOURCE, specs, table, expected, utf8_only=True),
                                     faults.row_fault_truth(SOURCE, table),
                                     {"duplicate_key": faults.duplicate_key_truth(SOURCE, table, specs)}),
        "counts": {"events_simulated": total,
                   "files": len(specs) + sum(1 for s in specs.values() if s.duplicate_as),
                   **faults.load_expectation(table, specs, quarantined)},
        "quarantined_files": sorted(quarantined),
        "sidecars_ok": sorted(n for n, s in specs.items() if s.sidecar in ("digest", "sha256sum")),
        "timestamp_styles": {style: sorted(n for n, s in styles.items() if s == style)
                             for style in TIMESTAMP_STYLES[1:]},
        "user_spelling_variants": int(table["user"].str.contains(r"^\s|\s$").sum()),
    }
    return SourceOutput(table, specs, truth, _lines)


def _people(staff: Workforce, org: Organisation, rng: np.random.Generator) -> pl.DataFrame:
    """Per-person gateway identity (staff, then the service accounts): key, team, IP, e-mail."""
    units = org.all_units()
    top = np.array([_top_unit(units, code) for code in staff.unit_at[:, 0].tolist()])
    tops, top_index = np.unique(top, return_inverse=True)
    team_ids = uuid_ids(rng, len(tops) + 1)
    n = staff.size
    ips = [f"10.{20 + t}.{i // 200 % 250}.{i % 200 + 10}" for i, t in enumerate(top_index.tolist())]
    has_team = rng.random(n) >= NO_TEAM_SHARE
    # Enums, so the events that gather these hold a small code each rather than the string.
    return pl.DataFrame({
        "user": [*staff.ids.tolist(), *[""] * len(SERVICE_ACCOUNTS)],
        "api_key": _enum(hex_ids(rng, n + len(SERVICE_ACCOUNTS), 64).tolist()),
        "alias": _enum(["portal-web"] * n + list(SERVICE_ACCOUNTS)),
        "team": _enum([*np.where(has_team, team_ids[top_index], None).tolist(),
                       *[str(team_ids[-1])] * len(SERVICE_ACCOUNTS)]),
        "ip": _enum(ips + [f"10.0.5.{11 + k}" for k in range(len(SERVICE_ACCOUNTS))]),
        "email": _enum([*staff.emails.tolist(), *[""] * len(SERVICE_ACCOUNTS)]),  # "" is a category
    })


def _top_unit(units: dict, code: str) -> str:
    """The ancestor directly under the ministry (the portal's teams follow that level)."""
    while units[code].parent and units[units[code].parent].parent:
        code = units[code].parent
    return code


def _events(activity: Activity, staff: Workforce, people: pl.DataFrame, cal: Calendar,
            rng: np.random.Generator) -> pl.DataFrame:
    # Two steps, so the per-event arrays of the first are freed before the second draws its own.
    return _attributes(_requests(activity, staff, cal, rng), people, rng)


def _requests(activity: Activity, staff: Workforce, cal: Calendar, rng: np.random.Generator) -> pl.DataFrame:
    """Who calls which service when, in time order: staff through the portal, and service keys."""
    cells = np.flatnonzero(activity.n_portal > 0)
    cell_of_event = np.repeat(np.arange(len(cells)), activity.n_portal[cells])
    seconds, session = event_seconds(rng, cell_of_event, len(cells), cal.workday[activity.cell_day[cells]])
    person = activity.cell_person[cells][cell_of_event]
    day = activity.cell_day[cells][cell_of_event]
    favourite = rng.choice(len(SERVICES), size=staff.size, p=SERVICE_SHARE)
    service = np.where(rng.random(len(person)) < FAVOURITE_SHARE, favourite[person],
                       rng.choice(len(SERVICES), size=len(person), p=SERVICE_SHARE))
    other_calls = rng.choice(len(USER_CALL_SHARE), size=len(person), p=USER_CALL_SHARE)
    call = np.where(service == IMAGE, AIMAGE, other_calls)
    session_ids = uuid_series(rng, len(cells) * 3)
    session_ids = session_ids.cast(pl.Enum(session_ids.unique(maintain_order=True)))
    users = _user_events(person, day, seconds, service, call).with_columns(
        session=pl.when(pl.col("call").is_in(COMPLETION_LIKE)).then(session_ids.gather(session)))
    table = pl.concat([users, _service_events(users.height, cal, staff.size, rng)], how="diagonal")
    day_start = cal.day_start_utc_ms()
    table = table.with_columns(t_ms=pl.Series(day_start[table["day"].to_numpy()]) + pl.col("ms_of_day"))
    return table.sort("t_ms").drop("ms_of_day")


def _user_events(person, day, seconds, service, call) -> pl.DataFrame:
    return pl.DataFrame({"person": person.astype(np.int64), "day": day.astype(np.int64),
                         "ms_of_day": (seconds * 1000).astype(np.int64),
                         "service": service.astype(np.int64), "call": call.astype(np.int64)})


def _service_events(user_events: int, cal: Calendar, n_staff: int,
                    rng: np.random.Generator) -> pl.DataFrame:
    """Integrations calling the gateway with service keys: empty user, mostly system calls."""
    per_day = SERVICE_KEY_SHARE * user_events / max(1, cal.n_days)
    counts = rng.poisson(per_day * np.where(cal.workday, 1.2, 0.6))
    day = np.repeat(np.arange(cal.n_days), counts)
    n = len(day)
    calls, shares = zip(*SERVICE_CALL_SHARE.items())
    call = np.array(calls)[rng.choice(len(calls), size=n, p=shares)]
    service = np.where(np.isin(call, (AEMBEDDING, ARERANK)), SERVICES.index("search"), SERVICES.index("chat"))
    return pl.DataFrame({"person": n_staff + rng.integers(0, len(SERVICE_ACCOUNTS), size=n),
                         "day": day.astype(np.int64),
                         "ms_of_day": rng.integers(0, 86_400_000, size=n),
                         "service": service.astype(np.int64), "call": call.astype(np.int64)})


def _attributes(table: pl.DataFrame, people: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Everything the gateway logs about a request, drawn per event from the service and call type."""
    n = table.height
    service = table["service"].to_numpy()
    call = table["call"].to_numpy()
    person = table["person"]
    is_user = person.to_numpy() < people.height - len(SERVICE_ACCOUNTS)
    model = _models(service, call, rng)
    prompt, completion = _tokens(service, call, rng)
    blocked, failed, guardrail = _outcomes(call, is_user, rng)
    completion = np.where(failed | blocked, 0, completion)
    spend = _spend(model, prompt, completion)
    messages, response = _contents(service, call, blocked, failed, rng)
    mode_share = [1 - SERVICE_IN_TAGS_SHARE - NO_SERVICE_SHARE, SERVICE_IN_TAGS_SHARE, NO_SERVICE_SHARE]
    service_mode = np.where(is_user, rng.choice(3, size=n, p=mode_share), np.where(rng.random(n) < 0.3, 2, 0))
    with_email = is_user & (rng.random(n) < EMAIL_SHARE)
    return table.with_columns(
        key=pl.Series(["", "chatcmpl-"]).gather(np.isin(call, COMPLETION_LIKE).astype(np.int64))
        + uuid_series(rng, n),
        call_type=_lookup(CALL_TYPES, call),
        api_key=people["api_key"].gather(person),
        spend=pl.Series(np.where(failed | blocked, 0.0, np.round(spend, 8))),
        prompt_tokens=pl.Series(prompt), completion_tokens=pl.Series(completion),
        duration_ms=pl.Series(_durations(call, completion, failed, blocked, rng)),
        has_duration=pl.Series(rng.random(n) >= NO_DURATION_SHARE),
        model=_lookup([m[0] for m in MODELS], model), model_group=_lookup([m[1] for m in MODELS], model),
        provider=_lookup([m[2] for m in MODELS], model),
        user=_spelled(people["user"].gather(person), rng),
        service_name=_lookup((*SERVICES, UNKNOWN_FEATURE), service),
        service_mode=pl.Series(service_mode, dtype=pl.Int8),
        guardrail=_lookup(GUARDRAIL_STATUSES, guardrail),
        alias=people["alias"].gather(person), team=people["team"].gather(person),
        end_user=pl.when(pl.Series(with_email)).then(people["email"].gather(person)).otherwise(pl.lit("")),
        ip=people["ip"].gather(person), messages=messages, response=response,
        status=_lookup(("success", "failure"), failed.astype(np.int64)),
        fault=faults.fault_text(None), fault_detail=faults.fault_text(None),
    ).drop("person", "service")  # what they determine is now in the columns above


def _spend(model: np.ndarray, prompt: np.ndarray, completion: np.ndarray) -> np.ndarray:
    """USD: per 1k prompt tokens, per 1k completion tokens, and per request."""
    price = np.array([m[3:] for m in MODELS])
    return prompt * price[model, 0] / 1000 + completion * price[model, 1] / 1000 + price[model, 2]


def _outcomes(call: np.ndarray, is_user: np.ndarray, rng: np.random.Generator):
    """Blocked by a guardrail (often logged as a failure too), failed, and the guardrail status."""
    n = len(call)
    guarded = np.isin(call, COMPLETION_LIKE) | (call == AIMAGE)
    blocked = guarded & is_user & (rng.random(n) < BLOCKED_SHARE)
    failed = (rng.random(n) < FAILURE_SHARE) | (blocked & (rng.random(n) < BLOCKED_LOGGED_AS_FAILURE))
    no_answer = rng.random(n) < GUARDRAIL_NO_RESPONSE
    guardrail = np.select([~guarded, blocked, no_answer], [0, 2, 3], 1)
    return blocked, failed, guardrail


def _spelled(user: pl.Series, rng: np.random.Generator) -> pl.Series:
    """A few clients send the employee number with a stray space, some also in lower case."""
    variant = pl.Series(rng.random(len(user)) < USER_VARIANT_SHARE) & (user != "")
    lower = pl.Series(rng.random(len(user)) < 0.5)
    frame = pl.DataFrame({"user": user, "variant": variant, "lower": lower})
    user, variant, lower = pl.col("user"), pl.col("variant"), pl.col("lower")
    return frame.select(pl.when(variant & lower).then(" " + user.str.to_lowercase())
                        .when(variant).then(user + " ")
                        .otherwise(user)).to_series()


def _lookup(names, index: np.ndarray | pl.Series) -> pl.Series:
    """Strings of a vocabulary picked by integer codes (an Enum: a small code per row)."""
    return _enum(list(names)).gather(index)


def _enum(values: list[str | None]) -> pl.Series:
    """The strings as an Enum whose categories are their distinct values."""
    return pl.Series(values, dtype=pl.Enum(list(dict.fromkeys(v for v in values if v is not None))))


def _models(service: np.ndarray, call: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    cumulative = CHAT_MODEL_SHARE.cumsum(axis=1)[np.minimum(service, len(CHAT_MODEL_SHARE) - 1)]
    chat = (rng.random(len(service))[:, None] > cumulative).sum(axis=1)
    embed = np.array(EMBED_MODELS)[rng.integers(0, 2, size=len(service))]
    return np.select([call == AIMAGE, call == AEMBEDDING, call == AMODERATION, call == ATRANSCRIPTION,
                      call == ARERANK],
                     [IMAGE_MODEL, embed, MODERATION_MODEL, WHISPER_MODEL, RERANK_MODEL], chat)


def _tokens(service: np.ndarray, call: np.ndarray, rng: np.random.Generator):
    n = len(service)
    prompt_median = np.select([call == AEMBEDDING, call == AMODERATION, call == ATRANSCRIPTION,
                               call == ARERANK], [350, 250, 0, 900], np.array(PROMPT_TOKENS)[service])
    completion_median = np.where(np.isin(call, COMPLETION_LIKE), np.array(COMPLETION_TOKENS)[service],
                                 np.where(call == ATRANSCRIPTION, 400, 0))
    prompt = np.rint(prompt_median * rng.lognormal(0, 0.8, size=n)).astype(np.int64)
    completion = np.rint(completion_median * rng.lognormal(0, 0.7, size=n)).astype(np.int64)
    return np.where(call == ATRANSCRIPTION, 0, np.maximum(prompt, 1)), completion


def _durations(call, completion, failed, blocked, rng) -> np.ndarray:
    """Milliseconds: generation time grows with output; images are slow; failures often time out."""
    n = len(call)
    generation = 250 + completion * 18 * rng.lognormal(0, 0.4, size=n)
    duration = np.select([call == AIMAGE, np.isin(call, SYSTEM_CALLS), call == ATRANSCRIPTION],
                         [rng.uniform(8000, 20000, size=n), rng.uniform(40, 300, size=n),
                          rng.uniform(2000, 9000, size=n)], generation)
    failure = np.where(rng.random(n) < 0.3, 30000, rng.uniform(100, 5000, size=n))
    duration = np.where(failed, failure, duration)
    return np.where(blocked, rng.uniform(50, 400, size=n), duration).astype(np.int64)


def _contents(service, call, blocked, failed, rng) -> tuple[pl.Series, pl.Series]:
    """Pre-escaped JSON fragments for `messages` and `response`, picked per event."""
    prompts = [f'[{{"role":"user","content":{_js(p)}}}]' for s in SERVICES for p in PORTAL_PROMPTS[s]]
    replies = ['{"choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":'
               + _js(r) + "}}]}" for s in SERVICES for r in PORTAL_RESPONSES[s]]
    first_prompt = np.cumsum([0] + [len(PORTAL_PROMPTS[s]) for s in SERVICES])
    first_reply = np.cumsum([0] + [len(PORTAL_RESPONSES[s]) for s in SERVICES])
    pick = rng.random(len(service))
    prompt = first_prompt[service] + (pick * np.diff(first_prompt)[service]).astype(np.int64)
    reply = first_reply[service] + (pick * np.diff(first_reply)[service]).astype(np.int64)
    inputs = [_js([text]) for text in EMBEDDING_INPUTS]
    extra = [f'[{{"role":"user","content":{_js(BLOCKED_PROMPT)}}}]', '[{"role":"user","content":"[audio]"}]']
    all_messages = prompts + inputs + extra
    embedding_input = len(prompts) + (pick * len(inputs)).astype(np.int64)
    message = np.select([blocked, np.isin(call, SYSTEM_CALLS), call == ATRANSCRIPTION],
                        [len(all_messages) - 2, embedding_input, len(all_messages) - 1], prompt)
    canned = ['{}', f'{{"error":{_js(BLOCKED_RESPONSE)}}}', '{"object":"list","data":[]}',
              '{"data":[{"url":"<redacted>"}]}', '{"text":"[transcript]"}']
    all_replies = replies + canned
    base = len(replies)
    answer = np.select([blocked, failed, np.isin(call, SYSTEM_CALLS), call == AIMAGE, call == ATRANSCRIPTION],
                       [base + 1, base, base + 2, base + 3, base + 4], reply)
    return _lookup(all_messages, message), _lookup(all_replies, answer)


def _js(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _plan_files(table: pl.DataFrame, cal: Calendar, fault_days: dict[str, list[int]],
                rng: np.random.Generator):
    """Name each day's file(s), and decide compression, timestamp style, sidecars and delivery."""
    day = table["day"].to_numpy()
    per_day = np.bincount(day, minlength=cal.n_days)
    rank = np.arange(len(day)) - np.concatenate([[0], np.cumsum(per_day)])[day]
    taken = {d for days in fault_days.values() for d in days}
    taken |= {d + 1 for f in faults.DUPLICATE_KEY for d in fault_days[f]}
    damaged = {d: f for f in ("corrupt_gzip", "wrong_encoding", "sidecar_mismatch") for d in fault_days[f]}
    split = {d for d in np.flatnonzero(per_day >= 20).tolist()
             if d not in taken and rng.random() < SPLIT_SHARE}
    part2 = np.zeros(cal.n_days, np.int64)
    for d in split:
        part2[d] = per_day[d] // 2
    for d in damaged:
        part2[d] = max(1, min(DAMAGED_PART_EVENTS, per_day[d] // 10))
    gz = rng.random(cal.n_days) < GZIP_SHARE
    gz[fault_days["corrupt_gzip"]] = True
    gz[fault_days["wrong_encoding"]] = False
    styles = rng.choice(3, size=(cal.n_days, 2), p=TIMESTAMP_STYLE_SHARE)
    jitter = rng.integers(0, 20 * 60, size=cal.n_days)
    sidecar = rng.random((cal.n_days, 2)) < SIDECAR_SHARE
    sidecar_kind = rng.random((cal.n_days, 2)) < 0.7

    specs: dict[str, LandedFile] = {}
    expected: dict[str, datetime] = {}
    style_of: dict[str, str] = {}
    names = np.empty((cal.n_days, 2), dtype=object)
    for d, when in enumerate(cal.days):
        for part in (0, 1) if part2[d] else (0,):
            name = f"spendlogs_{when:%Y%m%d}{'_2' if part else ''}.jsonl{'.gz' if gz[d] else ''}"
            delivered = (datetime(when.year, when.month, when.day, DELIVERY_HOUR, tzinfo=KST)
                         + timedelta(days=1, seconds=int(jitter[d]) + 420 * part))
            spec = LandedFile(SOURCE, name, delivered, gzip=bool(gz[d]))
            style_of[name] = TIMESTAMP_STYLES[styles[d, part]]
            if sidecar[d, part]:
                spec.sidecar = "sha256sum" if sidecar_kind[d, part] else "digest"
            if part and d in damaged:
                _damage(spec, damaged[d])
            specs[name], expected[name], names[d, part] = spec, delivered, name
    for d in fault_days["duplicate_file"]:
        spec = specs[names[d, 0]]
        spec.duplicate_as = spec.name.replace(".jsonl", "_2.jsonl")
        spec.duplicate_delivered = spec.delivered + timedelta(days=1)
    for d in fault_days["late_file"]:
        specs[names[d, 0]].delivered += timedelta(days=LATE_DAYS)
    for d in fault_days["cut_last_line"]:
        specs[names[d, 0]].damage = "cut_last_line"

    is_part2 = rank >= (per_day - part2)[day]
    file_index = day * 2 + is_part2
    flat_names = [n or "" for n in names.ravel().tolist()]
    flat_names = pl.Series(flat_names, dtype=pl.Enum(sorted(set(flat_names))))  # sorts as the names
    flat_styles = pl.Series(styles.ravel(), dtype=pl.Int8)
    table = table.with_columns(file=flat_names.gather(file_index), pos=pl.Series(rank),
                               ts_style=flat_styles.gather(file_index)).drop("day")
    return table, specs, expected, style_of


def _damage(spec: LandedFile, fault: str) -> None:
    if fault == "corrupt_gzip":
        spec.damage = "corrupt_gzip"
    elif fault == "wrong_encoding":
        spec.encoding = "cp949"
    else:
        spec.sidecar = "mismatch"


def _inject_row_faults(table: pl.DataFrame, specs: dict[str, LandedFile],
                       fault_days: dict[str, list[int]], cal: Calendar, total: int,
                       rng: np.random.Generator) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    day_files = [sorted(n for n in specs if n.startswith(f"spendlogs_{d:%Y%m%d}")) for d in cal.days]
    main = [files[0] for files in day_files]  # "_2" and ".gz" sort after the plain name
    copies = faults.duplicate_key_copies(table, main, fault_days, _correct_spend)
    touched = {d + step for days in fault_days.values() for d in days for step in (0, 1)}
    clean = faults.rows_outside(table, {n for d in touched if d < cal.n_days for n in day_files[d]})
    count = {fault: faults.fault_count(base, total / DEFAULT_EVENTS) for fault, base in ROW_FAULTS.items()}
    is_user = (table["user"] != "").to_numpy()
    table = faults.mark_unknown_employees(table, clean & is_user, count["unknown_employee"], "user", 3, rng)
    chat_like = table["call"].is_in(COMPLETION_LIKE).to_numpy()
    rows = faults.pick_rows(table, clean & is_user & chat_like, count["unknown_feature"], rng)
    table = faults.mark(table, rows, "unknown_feature", UNKNOWN_FEATURE,
                        service_name=UNKNOWN_FEATURE, service_mode=0)
    table = faults.mark_out_of_range_times(table, clean, count, cal.start, rng)
    return faults.mark_malformed(table, clean, count, rng), copies


def _correct_spend(copy: pl.DataFrame) -> pl.DataFrame:
    """The re-exported copy carries a corrected spend."""
    old = copy["spend"][0]
    new = round(old * 1.25 + 0.001, 8)
    return copy.with_columns(spend=pl.lit(new),
                             fault_detail=faults.fault_text(f"spend corrected from {old} to {new}"))


def _timestamp(ms: pl.Expr) -> pl.Expr:
    utc = pl.from_epoch(ms, time_unit="ms").dt.replace_time_zone("UTC")
    style = pl.col("ts_style")
    kst = utc.dt.convert_time_zone("Asia/Seoul")
    return (pl.when(style == 1).then(kst.dt.strftime("%Y-%m-%dT%H:%M:%S%.3f+09:00"))
            .when(style == 2).then(utc.dt.strftime("%Y-%m-%dT%H:%M:%S%.3f"))
            .otherwise(utc.dt.strftime("%Y-%m-%dT%H:%M:%S%.3fZ")))


def _lines(rows: pl.DataFrame) -> pl.Series:
    return faults.render_lines(rows, _render(), _break_line)


def _render() -> pl.Expr:
    """One SpendLogs JSON object per row, assembled from pre-escaped pieces."""
    c, lit, optional = pl.col, pl.lit, _optional
    tags = (optional(c("service_mode") == 1, lit('"service:'), c("service_name"), lit('",'))
            + pl.when(c("alias") == "portal-web").then(lit('"portal-web"')).otherwise(lit('"batch"')))
    return pl.concat_str([
        lit('{"request_id":"'), c("key"), lit('","call_type":"'), c("call_type"),
        lit('","api_key":"'), c("api_key"), lit('","spend":'), _text("spend"),
        lit(',"total_tokens":'), (c("prompt_tokens") + c("completion_tokens")).cast(pl.String),
        lit(',"prompt_tokens":'), _text("prompt_tokens"),
        lit(',"completion_tokens":'), _text("completion_tokens"),
        lit(',"startTime":"'), _timestamp(c("t_ms")),
        lit('","endTime":"'), _timestamp(c("t_ms") + c("duration_ms")),
        lit('"'), optional(c("has_duration"), lit(',"request_duration_ms":'), _text("duration_ms")),
        lit(',"model":"'), c("model"), lit('","model_group":"'), c("model_group"),
        lit('","custom_llm_provider":"'), c("provider"), lit('","user":"'), c("user"),
        lit('","metadata":{'),
        optional(c("service_mode") == 0, lit('"service":"'), c("service_name"), lit('",')),
        lit('"guardrail_status":"'), c("guardrail"), lit('","user_api_key_alias":"'), c("alias"),
        lit('"},"cache_hit":"False","request_tags":['), tags, lit("]"),
        optional(c("team").is_not_null(), lit(',"team_id":"'), c("team"), lit('"')),
        lit(',"end_user":"'), c("end_user"), lit('","requester_ip_address":"'), c("ip"),
        lit('","messages":'), c("messages"), lit(',"response":'), c("response"),
        optional(c("session").is_not_null(), lit(',"session_id":"'), c("session"), lit('"')),
        lit(',"status":"'), c("status"), lit('","proxy_server_request":{}}'),
    ])


def _text(name: str) -> pl.Expr:
    return pl.col(name).cast(pl.String)


def _optional(condition: pl.Expr, *parts: pl.Expr) -> pl.Expr:
    """A JSON fragment present only where the condition holds."""
    return pl.when(condition).then(pl.concat_str(list(parts))).otherwise(pl.lit(""))


def _break_line(line: str, fault: str) -> str:
    if fault == "bad_timestamp":
        return re.sub(r'"startTime":"[^"]*"', '"startTime":"2026-13-45T25:61:00Z"', line, count=1)
    if fault == "non_numeric_tokens":
        return re.sub(r'"prompt_tokens":\d+', '"prompt_tokens":"n/a"', line, count=1)
    return re.sub(r'^\{"request_id":"[^"]*",', "{", line)

