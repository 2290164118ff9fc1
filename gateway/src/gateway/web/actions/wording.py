"""The Actions pages' words and small rules shared by the list, New Action and a thread: the fields
and their labels, the status light in words, dates as the seed shows them, whose turn it is, and a
service's refusal turned into the form's errors at their fields."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from starlette.datastructures import UploadFile

from gateway.service_problems import ServiceError
from gateway.web.actions import service
from gateway.web.actuals import figures
from gateway.web.forms import FormErrors, form_errors

UK = ZoneInfo("Europe/London")
TEXT_MAX = 7500  # messaging's limit (docs/messaging.md): the character count shows it as one types
NEW_FIELDS = ("type_id", "related", "team_id", "title", "text", "attachment")
POST_FIELDS = ("text", "attachment")
LABELS = {
    "type_id": "Type",
    "related": "Related to",
    "team_id": "Assign to",
    "title": "Title",
    "text": "Message",
    "attachment": "Attachment",
}
# The service's field names as the form's.
ALIASES = {"related_id": "related", "related_kind": "related"}
VERBS = frozenset({"must", "is", "has", "can", "cannot", "needs", "should", "may", "was", "are"})
# The status light in words and colour (never colour alone): rules.light in messaging.
LIGHTS = {
    "green": ("None pending", "govuk-tag--green"),
    "amber": ("Open", "govuk-tag--yellow"),
    "red": ("Overdue", "govuk-tag--red"),
}
KINDS = {"provider": "Provider", "service": "Service", "client": "Client", "person": "Person"}
DONE = {
    "created": "Action created: it has been sent to the council team",
    "comment": "Comment added: the action stays where it was",
    "reply": "Reply sent: the action has been passed to the council team",
    "closure": "Closure requested: the council team will close the action",
    "attached": "File added",
}


def actions_url(slug: str) -> str:
    return f"/{slug}/actions"


def action_url(slug: str, action_id: str, done: str | None = None) -> str:
    return f"/{slug}/actions/{action_id}" + (f"?done={done}" if done else "")


def when(value: object) -> str:
    """A post's UTC time as the seed shows it, in the UK: 02/10/2019 11:27."""
    return _in_uk(value, "%d/%m/%Y %H:%M")


def posted(value: object) -> str:
    """A post's time in a thread: 02 Oct 2019 11:27."""
    return _in_uk(value, "%d %b %Y %H:%M")


def _in_uk(value: object, pattern: str) -> str:
    """An ISO timestamp from messaging, in UK time, as `pattern` writes it ("" when it is not one)."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return ""
    return moment.astimezone(UK).strftime(pattern)


def re_label(row: dict[str, Any]) -> str:
    """The list's Re: "Sausage Sandwich (Provider)", "Bart Simpson (Client)"."""
    kind = KINDS.get(str(row.get("related_kind")), "")
    return f"{row.get('related_label', '')} ({kind})" if kind else str(row.get("related_label", ""))


def assigned_label(row: dict[str, Any]) -> str:
    """Whose turn it is, as the seed's list says it: "Provider" or "LA (Childrens Services Finance)"."""
    return "Provider" if row.get("assigned_to") == "provider" else f"LA ({row.get('team_name', '')})"


def due_label(row: dict[str, Any]) -> str:
    return figures.uk_date(row.get("due_date")) or "--"


def status_label(action: dict[str, Any]) -> str:
    """A thread's Status: Closed, or the list's word for its light (Open, Overdue), so that an open
    action has one name on both pages; a closure asked for and not yet made is named after it: "Open
    (closure requested)". (The list's "None pending" is the light of a closed row; on the action's own
    page "Closed" says what happened.)"""
    if action.get("status") == "closed":
        return "Closed"
    light = str(action.get("light", ""))
    word = LIGHTS[light][0] if light in LIGHTS else light
    return f"{word} (closure requested)" if action.get("status") == "closure_requested" else word


HELPERS: dict[str, Any] = {
    "when": when,
    "posted": posted,
    "re_label": re_label,
    "assigned_label": assigned_label,
    "due_label": due_label,
    "status_label": status_label,
    "LIGHTS": LIGHTS,
    "fmt": figures,
}


def a_uuid(raw: str) -> str | None:
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        return None


def sentence(field: str, message: str) -> str:
    """The service's message about `field` as a sentence naming it: "must be 7,500 characters or
    fewer (it has 7,501)" as "Message must be ...", "enter the title" as "Enter the title"."""
    message = message.strip().rstrip(".")
    label = LABELS.get(field)
    if label and message.split(" ", 1)[0] in VERBS:
        return f"{label} {message}"
    return message[:1].upper() + message[1:]


def file_sentence(message: str, filenames: Sequence[str]) -> str:
    """A refusal of one of several files, "report.exe: files named .exe ...", with the file's name kept
    as typed and the rest a sentence: "report.exe: Files named .exe ..."."""
    name = next((n for n in filenames if message.startswith(f"{n}: ")), None)
    if name is None:
        return sentence("attachment", message)
    return f"{name}: {sentence('attachment', message[len(name) + 2 :])}"


def refusal(exc: ServiceError, fields: tuple[str, ...], *, filenames: Sequence[str] = ()) -> FormErrors:
    """A refusal on a form: another provider's action or a page that cannot be is the page's error; a
    closed action or a pending request in the service's words; the rest at the fields they name (a
    file's refusal begins with its name, one of `filenames`)."""
    if exc.status in {403, 404}:
        raise service.page_problem(exc) from exc
    listed = exc.body.get("errors")
    if exc.status == 422 and isinstance(listed, list) and listed:
        errors = []
        for error in listed:
            if not isinstance(error, dict):
                continue
            raw = str(error.get("field") or error.get("loc") or "").rpartition(".")[2]
            field = ALIASES.get(raw, raw)
            message = str(error.get("message") or "")
            text = file_sentence(message, filenames) if field == "attachment" else sentence(field, message)
            errors.append({"field": field, "message": text})
        return form_errors(errors, fields=fields)
    return FormErrors.whole(service.problem_text(exc))


def files_of(form: Any) -> list[UploadFile]:
    """The files chosen (an empty file input sends one nameless, empty part: not a file)."""
    return [f for f in form.getlist("attachment") if isinstance(f, UploadFile) and f.filename]
