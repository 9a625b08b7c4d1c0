"""crm.lead: Odoo's Resellers (website_crm_partner_assign) API, with Odoo's signatures and meaning.

Thin wrappers over this add-on's own methods, so that integrators' code written for Odoo's module keeps
working. Where a name is shared and ours takes a portal form dict (``partner_interested``,
``partner_desinterested``), a dict goes to ours and Odoo's keyword arguments get Odoo's meaning.
"""
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessDenied

from ..forms.form import FormError


class CrmLead(models.Model):
    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    def partner_interested(self, comment=False, **kwargs):
        """Odoo: ``partner_interested(comment=False)``: the current reseller accepts the leads, posting
        "I am interested by this lead." and the comment; each lead becomes an opportunity.

        Given a dict (our portal form, also as ``values=``), the form's checks apply: see the portal's
        ``partner_interested``.
        """
        values = kwargs.pop("values", None)
        if isinstance(comment, dict) or values is not None:
            return super().partner_interested(values if values is not None else comment, **kwargs)
        self._check_portal_access()
        self._lock_portal_answer()
        company = self.env.user.commercial_partner_id
        message = Markup("<p>%s</p>") % self.env._("I am interested by this lead.")
        if comment:
            message += Markup("<p>%s</p>") % comment
        leads = self.sudo()
        self.env["partner.lead.answer"]._log_answers(leads, "accepted", partner=company)
        for lead in leads:
            lead.message_post(body=message, message_type="comment", subtype_xmlid="mail.mt_comment")
            lead.convert_opportunity(lead.partner_id)
        leads.message_subscribe(partner_ids=self.env.user.partner_id.ids)
        leads.write({"partner_assigned_id": company.id, "date_partner_accept": fields.Datetime.now()})
        return True

    def partner_desinterested(self, comment=False, contacted=False, spam=False, **kwargs):
        """Odoo: ``partner_desinterested(comment=False, contacted=False, spam=False)``: the current reseller
        declines the leads; it is unassigned, joins the declined partners, stops following them; spam is
        tagged. Ours also re-assigns the lead to the next reseller (unless spam, company setting).

        Given a dict (our portal form, also as ``values=``), it is passed on as it is.
        """
        values = kwargs.pop("values", None)
        if isinstance(comment, dict) or values is not None:
            return super().partner_desinterested(values if values is not None else comment, **kwargs)
        return super().partner_desinterested({"comment": comment or "", "contacted": bool(contacted),
                                              "spam": bool(spam)})

    @api.model
    def create_opp_portal(self, values):
        """Odoo: ``create_opp_portal({'contact_name', 'title', 'description'})``: the current reseller
        registers an opportunity; returns ``{'id': lead_id}``, or ``{'errors': message}`` when a value is
        missing or wrong. Other keys of our deal registration form (``partner_name``, ``email_from``,
        ``expected_revenue``, ``date_deadline``) are accepted too; ``email_from`` is required by ours. The ``id`` is
        False while the registration waits for the channel team's approval (no opportunity yet).
        """
        if not self._portal_is_reseller():
            raise AccessDenied()
        form = dict(values)
        form.setdefault("name", form.pop("title", ""))
        form.setdefault("partner_name", form.get("contact_name"))
        try:
            lead = self.create_opportunity_portal(form)
        except FormError as error:
            return {"errors": "\n".join(str(message) for message in error.errors.values())}
        return {"id": lead.id}

    def update_contact_details_from_portal(self, values):
        """Odoo's name of ``update_contact_details_portal(values)`` (same fields, same checks)."""
        return self.update_contact_details_portal(values)

    def update_stage_from_portal(self, stage_id):
        """Odoo: the assigned reseller moves its opportunity to ``stage_id`` (one of its team's stages)."""
        return self.update_lead_portal({"stage_id": stage_id})

    def search_geo_partner(self):
        """Odoo: ``{lead_id: partner_id}`` of the reseller automatic assignment would choose; nothing is
        written. Ours picks by nearest ring and weighted round-robin (see ``_assign_partner_choose``); the
        leads are geolocated first, like Odoo's."""
        self.assign_geo_localize()
        return self._assign_partner_propose()[0]

    def assign_geo_localize(self, latitude=False, longitude=False):
        """Odoo: with both coordinates, write them on the leads; without, geolocate the leads that have a
        country and no coordinates. Always True (a geocoder failure leaves the coordinates empty)."""
        if latitude and longitude:
            self.write({"partner_latitude": latitude, "partner_longitude": longitude})
            return True
        self.filtered("country_id")._assign_geo_localize()
        return True

    def assign_salesman_of_assigned_partner(self):
        """Odoo: open leads (active, probability below 100) whose assigned reseller has a salesperson get
        that salesperson."""
        leads = self.filtered(lambda lead: lead.active and lead.probability < 100 and lead.partner_assigned_id
                              and lead.partner_assigned_id.user_id != lead.user_id)
        by_user = {}
        for lead in leads:
            by_user.setdefault(lead.partner_assigned_id.user_id.id, self.browse())
            by_user[lead.partner_assigned_id.user_id.id] |= lead
        for user_id, user_leads in by_user.items():
            user_leads.write({"user_id": user_id})
        return True

