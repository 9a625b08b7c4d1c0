from odoo import fields, models


class CrmTeam(models.Model):
    _inherit = "crm.team"

    assign_partner_auto = fields.Boolean(
        "Assign Leads to Resellers",
        help="The scheduled action 'Assign leads to resellers' picks a reseller for the unassigned leads "
        "of this team.",
    )
