from datetime import date, datetime

from odoo import fields
from odoo.exceptions import UserError


class PortalFormError(UserError):
    """A portal form was refused; ``errors`` maps each faulty form field to what is wrong with it."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("\n".join(errors.values()))


def _form_text(values, key):
    value = values.get(key)
    if value is None or value is False:
        return ""
    return value.strip() if isinstance(value, str) else str(value)


def _form_bool(values, key):
    value = values.get(key)
    if isinstance(value, str):
        return value.strip().lower() in ("1", "on", "true", "yes")
    return bool(value)


def _form_float(values, key):
    """The number in a form field, None when empty; ValueError when it is not a number."""
    value = values.get(key)
    if value in (None, "", False):
        return None
    if isinstance(value, str):
        value = value.strip().replace(" ", "").replace(",", "") or None
        if value is None:
            return None
    return float(value)


def _form_int(values, key):
    value = values.get(key)
    if value in (None, "", False):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # never a record id: refused like an unknown one


def _form_date(values, key):
    """The date in a form field (ISO format, as <input type="date"> sends it), None when empty."""
    value = values.get(key)
    if value in (None, "", False):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError("not a date: %r" % (value,))
    return fields.Date.to_date(value.strip())

