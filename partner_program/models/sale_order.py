"""sale.order: "Sales from my deals", the portal list of the sale orders (and their invoices) of the opportunities
assigned to the reseller's company. Read-only, and narrower than Odoo's portal access to orders: the reseller sees
the customer, amount, state and date, never the order itself (it is the customer's document, not the reseller's)."""
from odoo import api, models
from odoo.fields import Domain


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.model
    def _portal_deal_sales_sortings(self):
        return {
            "date": {"label": self.env._("Newest"), "order": "date_order desc, id desc"},
            "name": {"label": self.env._("Reference"), "order": "name desc, id desc"},
            "customer": {"label": self.env._("Customer"), "order": "partner_id, id desc"},
            "amount": {"label": self.env._("Amount"), "order": "amount_total desc, id desc"},
        }

    @api.model
    def _portal_deal_sales_filters(self):
        return {
            "all": {"label": self.env._("All"), "domain": Domain.TRUE},
            "quotation": {"label": self.env._("Quotations"), "domain": Domain("state", "=", "sent")},
            "order": {"label": self.env._("Orders"), "domain": Domain("state", "=", "sale")},
            "invoiced": {"label": self.env._("Invoiced"), "domain": Domain("invoice_status", "=", "invoiced")},
        }

    @api.model
    def _portal_deal_sales_domain(self, filterby="all", search=None):
        """Sent quotations and orders of the opportunities assigned to the current user's company.

        The opportunities are searched with the user's own rights, so the crm.lead portal rule (assigned to my
        company) decides which deals count; the orders are then read as superuser for those deals only.
        """
        Lead = self.env["crm.lead"].with_context(active_test=False)
        deals = Lead._search(Lead._portal_assigned_domain() & Domain("type", "=", "opportunity"))
        domain = Domain("opportunity_id", "in", deals) & Domain("state", "in", ("sent", "sale"))
        filters = self._portal_deal_sales_filters()
        domain &= filters.get(filterby, filters["all"])["domain"]
        if search:
            domain &= Domain.OR(Domain(field, "ilike", search)
                                for field in ("name", "partner_id.name", "opportunity_id.name"))
        return domain

    @api.model
    def _portal_deal_sales_count(self, filterby="all", search=None):
        return self.sudo().search_count(self._portal_deal_sales_domain(filterby, search))

    @api.model
    def _portal_deal_sales(self, filterby="all", search=None, sortby="date", limit=None, offset=0):
        """One page of the current user's deals' orders, as superuser (the domain above decides)."""
        sortings = self._portal_deal_sales_sortings()
        return self.sudo().search(self._portal_deal_sales_domain(filterby, search),
                                  order=sortings.get(sortby, sortings["date"])["order"], limit=limit, offset=offset)

    @api.model
    def _portal_deal_sale(self, order_id):
        """The order as superuser if it is a sale of one of the current user's deals, else None (a 404)."""
        order = self.sudo().search(Domain("id", "=", order_id) & self._portal_deal_sales_domain(), limit=1)
        return order or None

    def _portal_deal_invoices(self):
        """The posted invoices and credit notes of these orders (as superuser: their number, date, amount and
        payment state are shown, nothing else)."""
        return self.sudo().invoice_ids.filtered(lambda move: move.state == "posted")
