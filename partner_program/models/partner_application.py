from markupsafe import Markup
from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.addons.base.models.res_partner import _lang_get
from odoo.exceptions import AccessError, ConcurrencyError, UserError
from odoo.fields import Command
from odoo.tools import SQL, email_normalize

from ..forms.partner_application import APPLICATION_FORM
from .partner_group import _is_safe_destination


class PartnerApplication(models.Model):
    _name = "partner.application"
    _description = "Partner Application"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "create_date desc, id desc"
    _check_company_auto = True
    _primary_email = "email_from"
    _rec_names_search = ["name", "contact_name", "email_from"]

    name = fields.Char("Company Name", required=True, tracking=True)
    contact_name = fields.Char(required=True, tracking=True)
    email_from = fields.Char("Email", required=True, tracking=True)
    email_normalized = fields.Char(compute="_compute_email_normalized", store=True, index=True)
    phone = fields.Char()
    website = fields.Char()
    country_id = fields.Many2one("res.country")
    # The visitor's website language: the rejection mail and the approved company's partners use it.
    lang = fields.Selection(_lang_get, "Language", default=lambda self: self.env.lang)
    type_id = fields.Many2one(
        "partner.type", "Requested Type", check_company=True,
        help="The kind of partnership the applicant asked for; approval opens the group's program.",
    )
    group_id = fields.Many2one(
        "partner.group", required=True, tracking=True, index=True, ondelete="restrict", check_company=True,
        default=lambda self: self.env["partner.group"]._get_default_group().with_env(self.env),
    )
    company_id = fields.Many2one(related="group_id.company_id", store=True, index=True)
    state = fields.Selection(
        [("new", "To Review"), ("approved", "Approved"), ("rejected", "Rejected")],
        required=True, default="new", tracking=True, index=True, copy=False,
    )
    reject_reason = fields.Text("Rejection Reason", readonly=True, copy=False)
    publish_on_approval = fields.Boolean(
        "Publish in the Directory", copy=False,
        help="On approval, the partner company appears in the published partner directory.")
    partner_id = fields.Many2one(
        "res.partner", "Partner Company", tracking=True, copy=False, domain="[('is_company', '=', True)]",
        help="The company the applicant joins with. Empty: approval links the company of an existing contact "
        "with this email, else creates the company.",
    )
    contact_id = fields.Many2one("res.partner", "Partner Contact", readonly=True, copy=False)
    user_id = fields.Many2one("res.users", "Portal User", readonly=True, copy=False)
    partnership_id = fields.Many2one("partner.partnership", readonly=True, copy=False)
    answer_ids = fields.One2many("partner.application.answer", "application_id", "Answers")
    submission_count = fields.Integer(
        "Submissions", default=1, readonly=True, copy=False,
        help="How many times this email applied: repeated applications are merged into this one.",
    )
    date_decision = fields.Datetime("Decided On", readonly=True, copy=False)
    reviewer_id = fields.Many2one("res.users", "Decided By", readonly=True, copy=False)

    _email_unique = models.UniqueIndex(
        "(email_normalized, company_id)", "There is already an application with this email.",
    )

    @api.depends("email_from")
    def _compute_email_normalized(self):
        for application in self:
            application.email_normalized = email_normalize(application.email_from) or application.email_from

    @api.depends("name", "contact_name")
    def _compute_display_name(self):
        for application in self:
            application.display_name = " - ".join(filter(None, [application.name, application.contact_name]))

    # ------------------------------------------------------------------ website form
    @api.model
    def _website_form_values(self, group):
        """What the application form offers besides countries: partner types (sudo, names only are shown) and the
        group's questions."""
        types = self.env["partner.type"].sudo().search(
            ["|", ("company_id", "=", False), ("company_id", "=", group.company_id.id)])
        return {
            "partner_types": types,
            "questions": group.sudo().application_question_ids,
        }

    @api.model
    def _website_submit(self, group, values):
        """Record an application sent from the website form into ``group``.

        A second application with the same email (in the group's company) is merged into the first one:
        its values are updated, the chatter says so, and no second application is created, also when two
        arrive at the same moment (a transaction lock on the email serializes them).

        :param group: ``partner.group`` open to applications
        :param values: the posted form: ``name`` (company), ``contact_name``, ``email_from`` required;
            ``phone``, ``website``, ``country_id``, ``type_id``, ``accept_tos``, ``question_<id>``
        :raise FormError: with a message per faulty field; nothing is written
        :return: (application (sudo), merged: bool)
        """
        group = group.sudo()
        if not group or not group.active or not group.allow_applications:
            raise UserError(self.env._("This group does not accept applications."))
        texts, errors = APPLICATION_FORM.validate(group, values)
        website = texts.get("website")
        if website:
            if "://" not in website:
                website = "https://%s" % website
            if not _is_safe_destination(website) or website.startswith("/"):
                errors["website"] = self.env._(APPLICATION_FORM.fields["website"].invalid)
        answers = group.application_question_ids._parse_answers(values, errors)
        APPLICATION_FORM.check(group, errors)
        email = email_normalize(texts["email_from"])

        vals = {
            "name": texts["name"],
            "contact_name": texts["contact_name"],
            "email_from": texts["email_from"],
            "phone": texts["phone"],
            "website": website,
            "country_id": texts["country_id"].id if texts["country_id"] else False,
            "type_id": texts["type_id"].id if texts["type_id"] else group.type_id.id,
            "group_id": group.id,
            "answer_ids": [Command.create({"question_id": question.id, "name": question.name,
                                           "sequence": question.sequence, "value": text})
                           for question, text in answers],
        }
        Application = self.sudo()
        # Two submissions of one email at once: the second waits here, then finds the first one.
        self.env.cr.execute(SQL("SELECT pg_advisory_xact_lock(hashtext(%s))",
                                "partner.application/%s/%s" % (group.company_id.id, email)))
        existing = Application.search(
            [("email_normalized", "=", email), ("company_id", "=", group.company_id.id)], limit=1)
        if existing:
            existing._merge_submission(vals)
            return existing, True
        try:
            with self.env.cr.savepoint():
                application = Application.with_context(mail_create_nolog=True).create(vals)
        except pg_errors.UniqueViolation:
            # The other submission committed after this transaction's snapshot was taken (before the lock):
            # invisible here, but there. Start again on a fresh snapshot (the HTTP layer retries), then merge.
            raise ConcurrencyError("partner.application: %s applied at the same moment" % email) from None
        application._notify_new_application()
        return application, False

    def _merge_submission(self, vals):
        """Fold a new submission of the same applicant into this application.

        To review or rejected: the latest answers replace the previous ones (a rejected application is
        opened again for review). Approved: nothing changes, the chatter records the new submission.
        """
        self.ensure_one()
        count = self.submission_count + 1
        if self.state == "approved":
            self.write({"submission_count": count})
            self.message_post(body=self.env._(
                "%(name)s applied again, already approved: nothing changed.", name=vals["contact_name"]))
            return
        update = dict(vals, submission_count=count, answer_ids=[Command.clear()] + vals["answer_ids"])
        reopened = self.state == "rejected"
        if reopened:
            update.update(state="new", reject_reason=False, date_decision=False, reviewer_id=False)
        self.write(update)
        self.message_post(body=self.env._(
            "%(name)s applied again (submission %(count)s): the application shows the latest answers.",
            name=vals["contact_name"], count=count,
        ) + (self.env._(" It was rejected before and is back for review.") if reopened else ""))
        if reopened:
            self._notify_new_application()

    def _notify_new_application(self):
        """A to-do for the group's partner manager, and a note in the chatter."""
        for application in self:
            manager = application.group_id.user_id
            if manager and not manager.share:
                application.activity_schedule(
                    "mail.mail_activity_data_todo", user_id=manager.id,
                    summary=self.env._("Review the application of %s", application.name),
                )

    # ------------------------------------------------------------------ decisions
    def _check_manager(self):
        if not self.env.su and not self.env.user.has_group("partner_program.group_partner_program_manager"):
            raise AccessError(self.env._("Only partner program managers may approve or reject applications."))

    def action_approve(self):
        """Approve the applications: company (linked or created), contact, portal user with its invitation,
        partnership in the group's program and group membership. All of them or none (one transaction)."""
        self._check_manager()
        if done := self.filtered(lambda application: application.state == "approved"):
            raise UserError(self.env._("%(names)s: already approved.", names=", ".join(done.mapped("name"))))
        for application in self:
            application._approve_one()
        return True

    def _approve_one(self):
        self.ensure_one()
        Partner = self.env["res.partner"].sudo()
        group = self.group_id.sudo()
        email = self.email_normalized
        user = self.env["res.users"].sudo().with_context(active_test=False).search([("login", "=", email)], limit=1)
        contact = user.partner_id or self.contact_id.sudo() or Partner.search(
            [("email_normalized", "=", email), ("is_company", "=", False)], order="id", limit=1)
        company = self.partner_id.sudo()
        if not company and contact.commercial_partner_id.is_company:
            company = contact.commercial_partner_id
        if not company:
            company = Partner.create({
                "name": self.name,
                "is_company": True,
                "email": self.email_from,
                "phone": self.phone,
                "website": self.website,
                "country_id": self.country_id.id,
                "user_id": group.user_id.id,
                "lang": self.lang,
            })
        if contact and contact.commercial_partner_id != company:
            if not contact.parent_id and not contact.is_company:
                contact.parent_id = company
            elif user:
                raise UserError(self.env._(
                    "%(email)s already signs in for %(company)s: link the application to that company, or ask the "
                    "applicant for another email.", email=email, company=contact.commercial_partner_id.display_name,
                ))
            else:
                contact = Partner.browse()
        if not contact:
            contact = Partner.create({
                "name": self.contact_name,
                "parent_id": company.id,
                "type": "contact",
                "email": self.email_from,
                "phone": self.phone,
                "lang": self.lang,
            })
        self._grant_portal_access(contact)
        partnership = self._ensure_partnership(company, group)
        # a new partner starts complete: the funds its level promises, a place on the map, the directory if chosen
        partnership._open_promised_funds()
        company._geo_localize_quietly()
        if self.publish_on_approval:
            company.is_published = True
        if company.partner_group_id != group:
            company.partner_group_id = group
        self.write({
            "state": "approved",
            "partner_id": company.id,
            "contact_id": contact.id,
            "user_id": contact.with_context(active_test=False).user_ids[:1].id,
            "partnership_id": partnership.id,
            "date_decision": fields.Datetime.now(),
            "reviewer_id": self.env.user.id,
        })
        self.activity_feedback(["mail.mail_activity_data_todo"])
        self.message_post(body=Markup("<p>%s</p>") % self.env._(
            "Approved into %(group)s: %(company)s joins with the partnership %(partnership)s.",
            group=group.name, company=company.display_name, partnership=partnership.display_name,
        ))

    def _grant_portal_access(self, contact):
        """Odoo's own portal wizard: creates (or re-activates) the user and sends the invitation mail."""
        wizard = self.env["portal.wizard"].sudo().with_company(self.company_id).create({
            "partner_ids": [Command.set(contact.ids)],
        })
        wizard_user = wizard.user_ids.filtered(lambda line: line.partner_id == contact)
        if not (wizard_user.is_portal or wizard_user.is_internal):
            wizard_user.action_grant_access()

    def _ensure_partnership(self, company, group):
        """The company's running partnership, else a new one in the group's program from today."""
        Partnership = self.env["partner.partnership"].sudo()
        today = fields.Date.context_today(self)
        partnership = Partnership.search([
            ("partner_id", "=", company.id), ("date_start", "<=", today), ("date_due", ">=", today),
        ], limit=1)
        if partnership:
            return partnership
        return Partnership.create({
            "partner_id": company.id,
            "type_id": group.type_id.id,
            # A company that already has a level keeps it; a new partner starts at the group's level.
            "grade_id": (company.grade_id or group.grade_id).id,
            "date_start": today,
            "user_id": group.user_id.id or self.env.user.id,
            "company_id": group.company_id.id,
        })

    def action_reject(self):
        """Button: ask for the reason (wizard)."""
        self._check_manager()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reject Application"),
            "res_model": "partner.application.reject",
            "view_mode": "form",
            "target": "new",
            "context": {"default_application_ids": [Command.set(self.ids)]},
        }

    def _reject(self, reason, send_mail=True):
        """Reject the applications with ``reason``, mailed to each applicant when ``send_mail``."""
        self._check_manager()
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give the reason of the rejection: the applicant reads it."))
        if done := self.filtered(lambda application: application.state != "new"):
            raise UserError(self.env._("%(names)s: only applications to review can be rejected.",
                                       names=", ".join(done.mapped("name"))))
        self.write({
            "state": "rejected",
            "reject_reason": reason,
            "date_decision": fields.Datetime.now(),
            "reviewer_id": self.env.user.id,
        })
        self.activity_unlink(["mail.mail_activity_data_todo"])
        template = self.env.ref("partner_program.mail_template_partner_application_rejected",
                                raise_if_not_found=False)
        for application in self:
            application.message_post(body=Markup("<p>%s</p><p>%s</p>") % (
                self.env._("Rejected."), reason), subtype_xmlid="mail.mt_note")
            if send_mail and template:
                template.sudo().send_mail(application.id, email_layout_xmlid="mail.mail_notification_light")
        return True

    def action_reset(self):
        """Back to review (a rejection made by mistake)."""
        self._check_manager()
        self.filtered(lambda application: application.state == "rejected").write({
            "state": "new", "reject_reason": False, "date_decision": False, "reviewer_id": False,
        })
        return True
