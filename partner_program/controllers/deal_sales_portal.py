from odoo import http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.http import request

from ..forms.form import search_text


class DealSalesPortal(CustomerPortal):
    """/my/deal-sales: the sale orders and invoices of the opportunities assigned to the reseller, read-only.

    Routes parse the request and call sale.order's ``_portal_deal_sales*`` methods, which decide what is shown.
    """

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "deal_sale_count" in counters:
            values["deal_sale_count"] = (
                request.env["sale.order"]._portal_deal_sales_count()
                if request.env["crm.lead"]._portal_is_reseller() else 0
            )
        return values

    @http.route(["/my/deal-sales", "/my/deal-sales/page/<int:page>"], type="http", auth="user", website=True,
                readonly=True)
    def portal_my_deal_sales(self, page=1, sortby=None, filterby=None, search=None, **kw):
        SaleOrder = request.env["sale.order"]
        sortings = SaleOrder._portal_deal_sales_sortings()
        filters = SaleOrder._portal_deal_sales_filters()
        sortby = sortby if sortby in sortings else "date"
        filterby = filterby if filterby in filters else "all"
        search = search_text(search)
        total = SaleOrder._portal_deal_sales_count(filterby, search)
        pager = portal_pager(
            url="/my/deal-sales",
            url_args={"sortby": sortby, "filterby": filterby, "search": search},
            total=total,
            page=page,
            step=self._items_per_page,
        )
        orders = SaleOrder._portal_deal_sales(filterby, search, sortby, limit=self._items_per_page,
                                              offset=pager["offset"])
        values = self._prepare_portal_layout_values()
        values.update({
            "orders": orders,
            "page_name": "deal_sales",
            "default_url": "/my/deal-sales",
            "pager": pager,
            "searchbar_sortings": sortings,
            "sortby": sortby,
            "searchbar_filters": filters,
            "filterby": filterby,
            "searchbar_inputs": {"all": {"input": "all", "label": request.env._(
                "Search in reference, customer or opportunity")}},
            "search_in": "all",
            "search": search,
        })
        return request.render("partner_program.portal_my_deal_sales", values)

    @http.route("/my/deal-sales/<int:order_id>", type="http", auth="user", website=True, readonly=True)
    def portal_my_deal_sale(self, order_id, **kw):
        order = request.env["sale.order"]._portal_deal_sale(order_id)
        if not order:
            # another reseller's sale, or none at all: the same 404
            raise request.not_found()
        values = self._prepare_portal_layout_values()
        values.update({"deal_sale": order, "page_name": "deal_sales"})
        return request.render("partner_program.portal_my_deal_sale", values)
