"""'Raise a request': the Request Form as a guided dialog in personal chat.

:mod:`.dialog` is the dialog and its way through the steps; :mod:`.steps` what every step
understands (cancel, back, help, a stale card); :mod:`.turns` reads what a turn brought;
:mod:`.answers` reads a card's answers; :mod:`.saving` saves a section; :mod:`.replies` and
:mod:`.names` are what the form says; :mod:`.live_card` keeps one card of the form live. The
form's sections and rules are the domain's (:mod:`communities.requests.form`).
"""

from __future__ import annotations

from dialogs.requests.form.dialog import RequestFormDialog, continue_request_form
from dialogs.requests.form.turns import is_form_submit

__all__ = ["RequestFormDialog", "continue_request_form", "is_form_submit"]
