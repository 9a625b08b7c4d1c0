from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.translate import LazyTranslate

from ..forms.form import Field, Form

_lt = LazyTranslate(__name__)

# Longest answer kept per field type (a form is not a file upload); other types: the form layer's LIMITS.
ANSWER_LIMITS = {"text": 5000}


class PartnerGroupQuestion(models.Model):
    """A free field of a group's application form, lead submission form or deal registration form.

    Answers are plain text: validated against the type here, stored as text, rendered escaped.
    """

    _name = "partner.group.question"
    _description = "Partner Group Form Question"
    _order = "sequence, id"

    group_id = fields.Many2one("partner.group", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="group_id.company_id", store=True)
    form = fields.Selection(
        [("application", "Application"), ("lead", "Lead Submission"), ("deal_registration", "Deal Registration")],
        required=True, default="application",
    )
    sequence = fields.Integer(default=10)
    name = fields.Char("Question", required=True, translate=True)
    field_type = fields.Selection(
        [("char", "Short Text"), ("text", "Long Text"), ("number", "Number"), ("boolean", "Yes / No"),
         ("selection", "Choice")],
        "Type", required=True, default="char",
    )
    options = fields.Text("Choices", translate=True, help="One choice per line.")
    required = fields.Boolean()
    placeholder = fields.Char(translate=True)

    @api.constrains("field_type", "options")
    def _check_options(self):
        for question in self:
            if question.field_type == "selection" and not question._choices():
                raise ValidationError(self.env._(
                    "The question %(question)s needs its choices, one per line.", question=question.name,
                ))

    def _choices(self):
        self.ensure_one()
        return [line.strip() for line in (self.options or "").splitlines() if line.strip()]

    @property
    def form_key(self):
        """Name of the question's input in the HTML form."""
        return "question_%s" % self.id

    def _form_field(self):
        """The question as a field of the form layer (its label is the question, already translated)."""
        self.ensure_one()
        return Field(
            self.form_key, self.name, self.field_type, size=ANSWER_LIMITS.get(self.field_type),
            # A required Yes / No question needs an answer, not a "Yes": checked below.
            required=self.required and self.field_type != "boolean", minimum=None,
            choices=[(choice, choice) for choice in self._choices()] if self.field_type == "selection" else None,
            placeholder=self.placeholder or None,
            missing=_lt("Please answer this question."),
            invalid=_lt("Please give a number.") if self.field_type == "number" else _lt(
                "Please pick one of the choices."),
        )

    def _parse_answers(self, values, errors):
        """Validate the answers to ``self`` (the questions of one form) found in ``values``.

        :param values: the posted form (``question_<id>`` keys)
        :param errors: dict filled with ``{form_key: message}`` for every refused answer
        :return: [(question, answer text)] for the questions answered, in order
        """
        cleaned, question_errors = Form(*(question._form_field() for question in self)).validate(self, values)
        errors.update(question_errors)
        answers = []
        for question in self:
            value = cleaned.get(question.form_key)
            if question.field_type == "boolean":
                if value is None and question.required:
                    errors[question.form_key] = self.env._("Please answer this question.")
                value = {True: self.env._("Yes"), False: self.env._("No")}.get(value)
            elif question.field_type == "number" and value is not None:
                value = values[question.form_key].strip()  # the answer as the applicant wrote it
            if value:
                answers.append((question, value))
        return answers
