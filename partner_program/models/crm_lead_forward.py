"""crm.lead: forward leads to resellers chosen by hand, with one mail per reseller."""
from collections import defaultdict

from odoo import models
from odoo.exceptions import UserError


class CrmLead(models.Model):
    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    def _forward_to_partner(self, choices):
        """Assign the leads to the resellers a user chose and mail each reseller the list of its leads.

        All or nothing: a lead without a reseller, or a reseller without an email address, raises a
        UserError before anything is written or sent. Each reseller gets one mail (template
        ``partner_program.mail_template_lead_forward``) listing its leads with links to the portal.

        :param dict choices: {lead_id: partner_id} for every lead of ``self``
        :return: the queued ``mail.mail`` records, one per reseller
        """
        self.check_access("write")
        missing = self.filtered(lambda lead: not choices.get(lead.id))
        if missing:
            raise UserError(self.env._(
                "Choose a reseller for %(names)s, or remove these leads from the list.",
                names=", ".join(missing.mapped("name")),
            ))
        partners = self.env["res.partner"].browse({choices[lead.id] for lead in self})
        no_email = partners.filtered(lambda partner: not partner.email)
        if no_email:
            raise UserError(self.env._(
                "Set an email address on %(names)s first: nothing was forwarded.",
                names=", ".join(no_email.mapped("display_name")),
            ))
        template = self.env.ref("partner_program.mail_template_lead_forward", raise_if_not_found=False)
        if not template:
            raise UserError(self.env._("The email template to forward leads is missing: reinstall Partner Program."))

        # A forward to a new reseller counts as its round-robin turn, as if the automatic assignment
        # had picked it: later automatic runs stay fair.
        moving = self.filtered(lambda lead: lead.partner_assigned_id.id != choices[lead.id])._assign_partner_todo()
        _choices, reasons, credit = moving._assign_partner_choose(
            forced={lead.id: choices[lead.id] for lead in moving})
        self._apply_partner_choices(
            {lead.id: choices[lead.id] for lead in self}, reasons,
            intro=self.env._("Forwarded to the reseller by email. "),
        )
        self._store_assign_credit(credit)

        by_partner = defaultdict(list)
        for lead in self:
            by_partner[choices[lead.id]].append(lead.id)
        mails = self.env["mail.mail"]
        for partner in partners:
            mails |= template.with_context(forwarded_lead_ids=by_partner[partner.id]).send_mail_batch(partner.ids)
        return mails

    def _get_partner_portal_url(self):
        """Absolute link to the lead in the reseller's portal."""
        self.ensure_one()
        return "%s/my/lead/%s" % (self.get_base_url(), self.id)

