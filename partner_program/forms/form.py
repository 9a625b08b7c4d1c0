"""One form layer for every portal and website form of the add-on.

A form is described once, as a ``Form`` of ``Field`` s (in ``forms/<concept>.py``, next to the concept's other
forms). The model method that takes the form validates and normalises the posted values through it
(``Form.validate``), the controller hands the same description to the template (``Form.widgets``: label, required
marker, maxlength, input type, choices), and a refused form raises one ``FormError`` carrying ``{field: message}``
for every faulty field at once. Labels and messages are ``LazyTranslate`` terms, so Odoo's translation export
finds them; they are translated in the language of the environment that validates or renders.
"""
import re
import unicodedata
from datetime import date

from odoo.exceptions import AccessError, UserError
from odoo.tools import email_normalize
from odoo.tools.translate import LazyGettext, LazyTranslate

_lt = LazyTranslate(__name__)

# The longest text a form may store, per kind of field: one table for every form of the add-on.
LIMITS = {
    "char": 256,      # names, titles, companies, streets, cities, short answers
    "email": 254,     # the longest address SMTP delivers (RFC 5321)
    "phone": 64,
    "url": 256,
    "text": 10000,    # descriptions, messages, comments
}
# Amounts: at most this many digits (integer and decimal parts): beyond, no amount a form sends, and floats lose
# cents. Numbers are plain decimals: no exponent, no nan or inf.
NUMBER_DIGITS = 15
NUMBER_RE = re.compile(r"[+-]?(\d+)(?:\.(\d+))?")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
TRUE_WORDS = ("1", "on", "true", "yes")
# Line breaks and tabs are text in a long text field; every other control character is refused.
TEXT_CONTROLS = "\n\r\t"

MESSAGES = {
    "required": _lt("%(field)s is required."),
    "too_long": _lt("This is too long: at most %(size)s characters."),
    "control": _lt("This contains a control character (such as a NUL byte): remove it."),
    "email": _lt("This is not a valid email address."),
    "number": _lt("%(field)s must be a number."),
    "digits": _lt("%(field)s has too many digits."),
    "range": _lt("%(field)s must be between %(min)s and %(max)s."),
    "negative": _lt("%(field)s cannot be negative."),
    "date": _lt("%(field)s is not a valid date (YYYY-MM-DD)."),
    "choice": _lt("Choose %(field)s from the list."),
}
INPUT_TYPES = {"email": "email", "phone": "tel", "number": "number", "date": "date", "boolean": "checkbox",
               "url": "text", "char": "text"}


def translate(env, term):
    """A label or message in ``env``'s language: ``_lt`` terms are translated, other texts (the name of a
    question, already translated by its field) are shown as they are."""
    return env._(term) if isinstance(term, LazyGettext) else term


def search_text(raw, size=LIMITS["char"]):
    """What a search box sent, made safe to search with: stripped, without control characters (PostgreSQL
    refuses a NUL byte), at most ``size`` characters. Searching is no form: nothing to refuse, the page shows."""
    text = raw if isinstance(raw, str) else ""
    text = "".join(char for char in text if unicodedata.category(char) not in ("Cc", "Zl", "Zp"))
    return text.strip()[:size]


class FormError(UserError):
    """A form was refused; ``errors`` maps each faulty form field to what is wrong with it.

    ``message`` (optional) is one sentence about the whole form, for forms that show one.
    """

    def __init__(self, errors, message=None):
        self.errors = errors
        self.message = message
        super().__init__(message or "\n".join(str(error) for error in errors.values()))


class Field:
    """One field of a form.

    :param name: the input's name
    :param label: what the user reads (a ``_lt`` term)
    :param kind: char, text, email, phone, url, number, date, boolean, selection or many2one
    :param required: an empty value is refused (a required boolean must be checked, a required number non-zero);
        a callable ``(model) -> bool`` when it depends on the record the form is for
    :param size: longest text accepted, default ``LIMITS[type]``
    :param choices: selection: ``[(value, label)]``, or a callable ``(model) -> [(value, label)]``
    :param records: many2one: a callable ``(model, cleaned values so far) -> recordset`` of the allowed records
    :param minimum, maximum: numbers: the accepted range (default: not negative)
    :param missing: message when a required value is missing (default "<label> is required.")
    :param invalid: message when the value is not of the type or not among the choices
    :param summary: a few words naming the field in the form's summary message (``Form(summary=...)``)
    """

    def __init__(self, name, label, kind="char", *, required=False, size=None, choices=None, records=None,
                 minimum=0, maximum=None, missing=None, invalid=None, placeholder=None, summary=None):
        self.name, self.label, self.type, self.required = name, label, kind, required
        self.size = size or LIMITS.get(kind)
        self.choices, self.records = choices, records
        self.minimum, self.maximum = minimum, maximum
        self.missing, self.invalid, self.placeholder, self.summary = missing, invalid, placeholder, summary

    def _message(self, env, key, custom=None, **args):
        if custom is not None:
            return translate(env, custom)
        return translate(env, MESSAGES[key]) % dict(args, field=translate(env, self.label))

    def clean(self, model, raw, cleaned):
        """(value, error): the normalised value of ``raw`` (None, or "" for texts, when empty) and None, or
        None and the message saying what is wrong."""
        env = model.env
        required = self.is_required(model)
        text = "" if raw is None or raw is False else raw if isinstance(raw, str) else str(raw)
        text = text.strip()
        controls = TEXT_CONTROLS if self.type == "text" else ""
        if any(unicodedata.category(char) in ("Cc", "Zl", "Zp") and char not in controls for char in text):
            return None, self._message(env, "control")
        if self.size and len(text) > self.size:
            return None, self._message(env, "too_long", size=self.size)
        empty = "" if self.type in ("char", "text", "email", "phone", "url") else None
        if self.type == "boolean":
            value = text.lower() in TRUE_WORDS if text else None
            if required and not value:
                return None, self._message(env, "required", self.missing)
            return value, None
        if not text:
            if required:
                return empty, self._message(env, "required", self.missing)
            return empty, None
        parse = getattr(self, "_parse_%s" % self.type, None)
        return parse(model, text, cleaned) if parse else (text, None)

    def is_required(self, model):
        return self.required(model) if callable(self.required) else self.required

    def _parse_email(self, model, text, cleaned):
        if not email_normalize(text):
            return None, self._message(model.env, "email", self.invalid)
        return text, None

    def _parse_number(self, model, text, cleaned):
        env = model.env
        number = parse_number(env, text)
        if number is None:
            return None, self._message(env, "number", self.invalid)
        if number == "digits":
            return None, self._message(env, "digits")
        if (self.minimum is not None and number < self.minimum) or (self.maximum is not None and number > self.maximum):
            if self.maximum is None:
                return None, self._message(env, "negative")
            return None, self._message(env, "range", min=self.minimum, max=self.maximum)
        if self.is_required(model) and not number:
            return None, self._message(env, "required", self.missing)
        return number, None

    def _parse_date(self, model, text, cleaned):
        try:
            if not DATE_RE.fullmatch(text):
                raise ValueError(text)
            return date.fromisoformat(text), None
        except ValueError:
            return None, self._message(model.env, "date", self.invalid)

    def _parse_selection(self, model, text, cleaned):
        if text not in dict(self._choices(model)):
            return None, self._message(model.env, "choice", self.invalid)
        return text, None

    def _parse_many2one(self, model, text, cleaned):
        allowed = self.records(model, cleaned)
        record = allowed.filtered(lambda rec: str(rec.id) == text) if text.isdigit() else allowed.browse()
        if not record:
            return None, self._message(model.env, "choice", self.invalid)
        return record, None

    def _choices(self, model):
        return self.choices(model) if callable(self.choices) else self.choices or []


def parse_number(env, text):
    """The float written in ``text``, as ``<input type="number">`` sends it ("1234.5") or as the user's language
    writes it ("1 234,5" in French, "1,234.5" in English); None when it is no plain decimal number ("1e308",
    "nan", "inf", "1,5" in English: never silently 15), "digits" beyond ``NUMBER_DIGITS`` digits."""
    text = re.sub(r"[\s\u00a0\u202f]", "", text)
    match = NUMBER_RE.fullmatch(text)
    if not match:
        lang = env["res.lang"]._get_data(code=env.lang or "en_US")
        point, sep = lang.decimal_point or ".", re.sub(r"\s", "", lang.thousands_sep or "")
        grouping = r"\d{1,3}(?:%s\d{3})*" % re.escape(sep) if sep else r"\d+"
        if not re.fullmatch(r"[+-]?%s(?:%s\d+)?" % (grouping, re.escape(point)), text):
            return None
        match = NUMBER_RE.fullmatch((text.replace(sep, "") if sep else text).replace(point, "."))
        if not match:
            return None
    if len(match.group(1).lstrip("0")) + len(match.group(2) or "") > NUMBER_DIGITS:
        return "digits"
    return float(match.group(0))


class FieldView:
    """A field as a template renders it: its label translated, its input's attributes."""

    def __init__(self, field, model):
        env = model.env
        self.name, self.type, self.maxlength = field.name, field.type, field.size
        self.required = field.is_required(model)
        self.label = translate(env, field.label)
        self.placeholder = translate(env, field.placeholder) if field.placeholder else None
        self.input_type = INPUT_TYPES.get(field.type)
        self.min = field.minimum if field.type == "number" else None
        self.max = field.maximum if field.type == "number" else None
        self.choices = [(value, translate(env, label)) for value, label in field._choices(model)] \
            if field.type == "selection" else []


class Form:
    """A form: its fields in display order, and optionally one ``summary`` sentence naming the fields to fix
    (``%(fields)s``: the ``summary`` words of the faulty fields)."""

    def __init__(self, *fields, summary=None):
        self.fields = {field.name: field for field in fields}
        self.summary = summary

    def __iter__(self):
        return iter(self.fields.values())

    def validate(self, model, values, only_posted=False):
        """Validate and normalise the posted ``values`` with the rights and language of ``model``'s environment.

        :param only_posted: check only the fields present in ``values`` (forms that update some fields)
        :return: (cleaned values {name: value} of the fields checked, {name: message} of the faulty ones)
        """
        cleaned, errors = {}, {}
        for field in self:
            if only_posted and field.name not in values:
                continue
            value, error = field.clean(model, values.get(field.name), cleaned)
            if error:
                errors[field.name] = error
            else:
                cleaned[field.name] = value
        return cleaned, errors

    def check(self, model, errors):
        """Raise ``FormError`` with ``errors`` (and the summary sentence) when there is any."""
        if not errors:
            return
        message = None
        named = [translate(model.env, field.summary) for field in self if field.name in errors and field.summary]
        if self.summary and named:
            message = translate(model.env, self.summary) % {"fields": ", ".join(named)}
        raise FormError(errors, message)

    def parse(self, model, values, only_posted=False):
        """``validate`` then ``check``: the cleaned values, or FormError with every faulty field."""
        cleaned, errors = self.validate(model, values, only_posted=only_posted)
        self.check(model, errors)
        return cleaned

    def widgets(self, model):
        """{name: FieldView} for the template, in the language of ``model``'s environment."""
        return {field.name: FieldView(field, model) for field in self}


def submit_form(env, method, *args):
    """How every controller runs the model method taking a posted form: in a savepoint, so that a refused form
    leaves nothing half-written.

    :return: (result, errors, error): ``errors`` is None when the form passed; else ``errors`` maps the faulty
        fields to their messages and ``error`` is a message about the whole form (or None). The page is then
        rendered again with both and the posted values.
    :raise AccessError: left to the caller (a 403 or a 404, depending on the page)
    """
    try:
        with env.cr.savepoint():
            return method(*args), None, None
    except FormError as error:
        env.invalidate_all()  # the page shows the records as the savepoint left them
        return None, error.errors, error.message
    except AccessError:
        raise
    except UserError as error:
        env.invalidate_all()
        return None, {}, error.args[0]
