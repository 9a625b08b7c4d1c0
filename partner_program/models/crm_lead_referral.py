"""crm.lead: leads partners bring (referral links, portal lead submission) and their offers."""
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.http import request
from odoo.tools import SQL, email_normalize, plaintext2html

from ..forms.referral import LEAD_SUBMISSION_FORM
from .partner_group import REFERRAL_COOKIE


class CrmLead(models.Model):
    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    # Referrals: leads partners bring through their referral links or submit from their portal.
    referral_partner_id = fields.Many2one(
        "res.partner", "Referring Partner", tracking=True, index="btree_not_null", copy=False,
        help="The partner company that brought this lead (referral link or lead submission): its rewards follow.",
    )
    referral_link_id = fields.Many2one("partner.referral.link", index="btree_not_null",
                                       ondelete="set null", copy=False, readonly=True)
    referral_group_id = fields.Many2one(
        "partner.group", "Partner Group", index="btree_not_null", ondelete="set null", copy=False,
        help="The group whose offers apply to this lead (the referring partner's group when the lead came in).",
    )
    partner_submitted = fields.Boolean("Submitted by Partner", readonly=True, copy=False)
    date_partner_qualified = fields.Datetime(
        "Partner Lead Qualified", readonly=True, copy=False,
        help="When this lead the partner brought became an opportunity (or left its first stage).",
    )
    partner_reward_ids = fields.One2many("partner.reward", "lead_id", "Partner Rewards",
                                         groups="partner_program.group_partner_program_user")
    # ------------------------------------------------------------------ referral links and their offers
    @api.model
    def _referral_from_request(self):
        """The referral link of the visitor's attribution cookie, for leads sent from the website.

        None outside website requests, without a cookie, for a link that no longer works, and for visitors
        who are partners or employees themselves (a reseller's own deal registration is no referral).
        """
        if not request or not getattr(request, "is_frontend", False):
            return None
        code = request.cookies.get(REFERRAL_COOKIE)
        if not code:
            return None
        link = self.env["partner.referral.link"]._from_cookie(code)
        if not link:
            return None
        user = request.env.user
        if not user._is_public():
            visitor = user.sudo().commercial_partner_id
            if user._is_internal() or visitor == link.partner_id or visitor.partner_group_id or visitor.grade_id:
                return None
        return link

    @api.model
    def _referral_apply(self, vals, link):
        """Attribute the lead being created to ``link``'s partner, and assign it per the group's rule."""
        if vals.get("referral_partner_id") or vals.get("partner_submitted"):
            return
        group = link.group_id
        vals.update(referral_partner_id=link.partner_id.id, referral_link_id=link.id, referral_group_id=group.id)
        for field, record in (("source_id", group.utm_source_id), ("medium_id", group.utm_medium_id),
                              ("campaign_id", group.utm_campaign_id)):
            if record and not vals.get(field):
                vals[field] = record.id
        if group.referral_assignment == "referrer" and not vals.get("partner_assigned_id"):
            vals["partner_assigned_id"] = link.partner_id.id

    def _referral_after_create(self):
        """New leads brought by partners: automatic assignment when their group says so, then the offers."""
        referred = self.filtered("referral_group_id")
        if not referred:
            return
        referred._referral_assign_auto()
        Reward = self.env["partner.reward"]
        Reward._grant(referred, "lead_submitted")
        Reward._grant(referred, "referral_signup")

    def _referral_signups(self):
        """The leads of ``self`` that earn a referral sign-up: one per customer (normalised email, else company or
        contact name) per link within the group's attribution period, and never for the referring company's own
        people (a contact of its own, or its own user, sending the form through its own link).
        """
        leads = self.sudo().filtered(lambda lead: lead.referral_link_id and not lead.partner_submitted)
        if not leads:
            return leads

        def customer(lead):
            return lead.email_normalized or (lead.partner_name or lead.contact_name or "").strip().casefold() or None

        emails = [lead.email_normalized for lead in leads if lead.email_normalized]
        own = set()
        if emails:
            own = {(partner.commercial_partner_id.id, partner.email_normalized)
                   for partner in self.env["res.partner"].sudo().with_context(active_test=False).search([
                       ("email_normalized", "in", emails),
                       ("commercial_partner_id", "in", leads.referral_partner_id.commercial_partner_id.ids)])}
        oldest = min(lead.create_date for lead in leads) - timedelta(
            days=max(leads.referral_group_id.mapped("cookie_days") or [0]))
        earlier = self.sudo().with_context(active_test=False).search([
            ("referral_link_id", "in", leads.referral_link_id.ids), ("id", "<", max(leads.ids)),
            ("id", "not in", leads.ids),
            ("create_date", ">=", oldest), ("partner_submitted", "=", False)])
        seen = {}
        for lead in earlier:
            seen.setdefault((lead.referral_link_id.id, customer(lead)), []).append(lead.create_date)
        earning = leads.browse()
        for lead in leads.sorted("id"):
            referrer = lead.referral_partner_id.commercial_partner_id
            if (referrer.id, lead.email_normalized) in own or lead.partner_id.commercial_partner_id == referrer:
                continue
            key = (lead.referral_link_id.id, customer(lead))
            period = timedelta(days=lead.referral_group_id.cookie_days or 0)
            if key[1] and any(lead.create_date - period <= date <= lead.create_date for date in seen.get(key, ())):
                continue
            seen.setdefault(key, []).append(lead.create_date)
            earning |= lead
        return earning

    def _referral_assign_auto(self):
        """Groups with automatic assignment: the nearest fair reseller, chosen without calling the geocoder
        (the visitor waits for the page); leads without a country wait for the salesperson or the cron."""
        todo = self.filtered(
            lambda lead: lead.referral_group_id.referral_assignment == "auto" and not lead.partner_assigned_id
            and not lead.partner_submitted and lead.country_id
        )._assign_partner_todo()
        if not todo:
            return
        todo = todo.sudo()
        choices, reasons, credit = todo._assign_partner_choose()
        todo._apply_partner_choices(choices, reasons)
        todo._store_assign_credit(credit)

    def _referral_watch_qualification(self, vals):
        """Before a write that may qualify partner leads: {lead id: type before the write}."""
        if not {"type", "stage_id"} & set(vals):
            return {}
        return {lead.id: lead.type for lead in self if lead.referral_group_id and not lead.date_partner_qualified}

    def _referral_qualify_in_write(self, vals):
        """Winning partner leads that are all still unqualified (a salesperson's "Won", a batch of them):
        their qualification date goes into the write itself, so no second UPDATE of the same rows follows.

        Any other write qualifies afterwards (``_referral_check_qualified``, ``_referral_won``).

        :return: the leads whose write must set ``date_partner_qualified`` and which are then rewarded as
            qualified; empty otherwise
        """
        stage_id = vals.get("stage_id")
        if not stage_id or "date_partner_qualified" in vals or not self._referral_vendor_side():
            return self.browse()
        if not self.env["crm.stage"].browse(stage_id).is_won:
            return self.browse()
        if not all(lead.referral_group_id and not lead.date_partner_qualified and lead.won_status != "won"
                   for lead in self):
            return self.browse()
        return self

    def _referral_check_qualified(self, old_types):
        """After the write: a partner lead is qualified once converted to an opportunity, or, for an
        opportunity, once it leaves the first stage of its team's pipeline."""
        leads = self.filtered(lambda lead: lead.id in old_types and not lead.date_partner_qualified)
        if not leads:
            return
        stages = self.env["crm.stage"].sudo().search(
            ["|", ("team_ids", "=", False), ("team_ids", "in", leads.team_id.ids)])
        first = {}
        for team in leads.team_id | self.env["crm.team"]:
            team_stages = stages.filtered(lambda stage, team=team: not stage.team_ids or team in stage.team_ids)
            first[team.id] = min(team_stages.mapped("sequence"), default=0)
        qualified = leads.filtered(lambda lead: lead.type == "opportunity" and (
            old_types[lead.id] == "lead" or lead.stage_id.sequence > first.get(lead.team_id.id, 0)))
        qualified._referral_qualify()

    @api.model
    def _referral_vendor_side(self):
        """Whether the current user acts for us (an employee, a scheduled job): only our side qualifies or wins
        a partner's lead. A partner's portal actions (even run as superuser) never do: no reward on a lead a
        partner works itself."""
        return self.env.user._is_internal()

    def _referral_qualify(self):
        leads = self.filtered(lambda lead: lead.referral_group_id and not lead.date_partner_qualified)
        if not leads or not self._referral_vendor_side():
            return
        # One UPDATE: a full write of the leads (tracking, crm's write) for a date nothing depends on made
        # winning referred opportunities a third slower than winning them without the add-on.
        self.env.cr.execute(SQL(
            "UPDATE crm_lead SET date_partner_qualified = %s WHERE id = ANY(%s) AND date_partner_qualified IS NULL",
            fields.Datetime.now(), leads.ids))
        leads.invalidate_recordset(["date_partner_qualified"])
        self.env["partner.reward"]._grant(leads, "lead_qualified")

    def _referral_won(self):
        """Won partner leads: qualified too (if not yet), and the 'opportunity won' offers."""
        leads = self.filtered("referral_group_id")
        if not leads or not self._referral_vendor_side():
            return
        leads._referral_qualify()
        self.env["partner.reward"]._grant(leads, "opportunity_won")

    # ------------------------------------------------------------------ portal lead submission
    @api.model
    def _portal_submission_group(self):
        """The group of the current user's company when it lets its partners submit leads (sudo), else empty."""
        group = self.env.user.commercial_partner_id.sudo().partner_group_id
        return group if group and group.active and group.allow_lead_submission else group.browse()

    @api.model
    def submit_lead_portal(self, values):
        """"Submit a lead" from the portal: a lead for our sales team, brought by the current user's company.

        ``values`` (a portal form): ``email_from`` and the customer (``partner_name`` or ``contact_name``) are
        required; ``phone``, ``name`` (title), ``description`` and the group's questions (``question_<id>``)
        optional. The lead is flagged partner-submitted, attributed to the company (``referral_partner_id``)
        and its group, tagged "Submitted by partner"; the group's "lead submitted" offers fire now, the
        "qualified" and "won" ones later. Another company can never be named: attribution is the user's own.

        :raise AccessError: the user's company is in no group allowing lead submission
        :raise FormError: a message per faulty field; nothing is created
        :return: the new lead (sudo: the partner does not read it, our sales team works it)
        """
        group = self._portal_submission_group()
        if not group:
            raise AccessError(self.env._("Your partner group does not take lead submissions."))
        company = self.env.user.commercial_partner_id
        texts, errors = LEAD_SUBMISSION_FORM.validate(self, values)
        if not (texts.get("partner_name") or texts.get("contact_name")) and "partner_name" not in errors:
            errors["partner_name"] = self.env._("Give the customer's company or the contact's name.")
        answers = group.lead_question_ids._parse_answers(values, errors)
        LEAD_SUBMISSION_FORM.check(self, errors)
        email = email_normalize(texts["email_from"])

        description = plaintext2html(texts["description"]) if texts["description"] else Markup()
        if answers:
            description += Markup("<ul>%s</ul>") % Markup().join(
                Markup("<li><b>%s</b>: %s</li>") % (question.name, text) for question, text in answers)
        use_leads = self.env.ref("crm.group_use_lead") in self.env.ref("base.group_user").sudo().all_implied_ids
        customer = texts["partner_name"] or texts["contact_name"]
        lead = self.sudo().create({
            "type": "lead" if use_leads else "opportunity",
            "name": texts["name"] or self.env._("%(customer)s, from %(partner)s", customer=customer,
                                                 partner=company.name),
            "partner_name": texts["partner_name"],
            "contact_name": texts["contact_name"],
            "email_from": email,
            "phone": texts["phone"],
            "description": description or False,
            "referral_partner_id": company.id,
            "referral_group_id": group.id,
            "partner_submitted": True,
            "user_id": group.user_id.id if group.user_id and not group.user_id.share else False,
            "tag_ids": [Command.link(self.env.ref("partner_program.tag_submitted_by_partner").id)],
            "source_id": group.utm_source_id.id,
            "medium_id": group.utm_medium_id.id,
            "campaign_id": group.utm_campaign_id.id,
        })
        lead._message_log(body=Markup("<p>%s</p>") % self.env._(
            "Submitted from the partner portal by %(user)s (%(company)s).",
            user=self.env.user.name, company=company.name))
        return lead

    @api.model
    def _portal_submitted_leads(self, limit=50):
        """The leads the current user's company submitted, for its portal: name, date and where they stand.

        Read as superuser and reduced to those three facts: the partner does not read the leads themselves.
        """
        company = self.env.user.commercial_partner_id
        leads = self.sudo().with_context(active_test=False).search(
            [("referral_partner_id", "=", company.id), ("partner_submitted", "=", True)],
            order="create_date desc, id desc", limit=limit)
        result = []
        for lead in leads:
            if lead.won_status == "won":
                status = self.env._("Won")
            elif lead.won_status == "lost":
                status = self.env._("Closed")
            elif lead.date_partner_qualified:
                status = self.env._("Qualified")
            else:
                status = self.env._("Submitted")
            result.append({"name": lead.name, "date": lead.create_date, "status": status,
                           "won_status": lead.won_status, "qualified": bool(lead.date_partner_qualified)})
        return result
