from odoo import api, fields, models
from odoo.exceptions import ValidationError

# Longest answer kept per field type (a form is not a file upload).
ANSWER_LIMITS = {"char": 256, "text": 5000, "number": 32, "boolean": 8, "selection": 256}


class PartnerGroupQuestion(models.Model):
    """A free field of a group's application form or lead submission form.

    Answers are plain text: validated against the type here, stored as text, rendered escaped.
    """

    _name = "partner.group.question"
    _description = "Partner Group Form Question"
    _order = "sequence, id"

    group_id = fields.Many2one("partner.group", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="group_id.company_id", store=True)
    form = fields.Selection(
        [("application", "Application"), ("lead", "Lead Submission")], required=True, default="application",
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

    def _parse_answers(self, values, errors):
        """Validate the answers to ``self`` (the questions of one form) found in ``values``.

        :param values: the posted form (``question_<id>`` keys)
        :param errors: dict filled with ``{form_key: message}`` for every refused answer
        :return: [(question, answer text)] for the questions answered, in order
        """
        answers = []
        for question in self:
            raw = values.get(question.form_key)
            text = raw.strip() if isinstance(raw, str) else ""
            if question.field_type == "boolean":
                text = self.env._("Yes") if text.lower() in ("1", "on", "true", "yes") else (
                    self.env._("No") if text else "")
            if not text:
                if question.required:
                    errors[question.form_key] = self.env._("Please answer this question.")
                continue
            if len(text) > ANSWER_LIMITS[question.field_type]:
                errors[question.form_key] = self.env._("This answer is too long.")
                continue
            if question.field_type == "number":
                try:
                    float(text.replace(",", ".").replace(" ", ""))
                except ValueError:
                    errors[question.form_key] = self.env._("Please give a number.")
                    continue
            if question.field_type == "selection" and text not in question._choices():
                errors[question.form_key] = self.env._("Please pick one of the choices.")
                continue
            answers.append((question, text))
        return answers
