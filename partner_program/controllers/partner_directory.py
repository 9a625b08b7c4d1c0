from urllib.parse import urlencode

from odoo import http
from odoo.addons.website_partner.controllers.main import WebsitePartnerPage
from odoo.fields import Domain
from odoo.http import request
from odoo.tools.translate import LazyTranslate

from ..forms.form import submit_form
from ..forms.partner_directory import PARTNER_CONTACT_FORM
from .links import direct_link_prefix

_lt = LazyTranslate(__name__)


def sitemap_partners(env, rule, qs):
    """The directory, its level and country pages, and every reseller page."""
    Partner = env["res.partner"]
    slug = env["ir.http"]._slug
    domain = Partner._directory_domain()
    locs = ["/partners"]
    locs += ["/partners/grade/%s" % slug(grade) for [grade] in Partner.sudo()._read_group(domain, ["grade_id"])]
    locs += [
        "/partners/country/%s" % slug(country)
        for [country] in Partner.sudo()._read_group(domain & Domain("country_id", "!=", False), ["country_id"])
    ]
    locs += ["/partners/%s" % slug(partner) for partner in Partner.sudo().search(domain, order="id")]
    for loc in locs:
        if not qs or qs.lower() in loc:
            yield {"loc": loc}


class PartnerDirectory(WebsitePartnerPage):
    """The published reseller directory. Rules and queries live in ``res.partner._directory_*``."""

    @http.route([
        "/partners",
        "/partners/page/<int:page>",
        '/partners/grade/<model("res.partner.grade"):grade>',
        '/partners/grade/<model("res.partner.grade"):grade>/page/<int:page>',
        '/partners/country/<model("res.country"):country>',
        '/partners/country/<model("res.country"):country>/page/<int:page>',
        '/partners/grade/<model("res.partner.grade"):grade>/country/<model("res.country"):country>',
        '/partners/grade/<model("res.partner.grade"):grade>/country/<model("res.country"):country>/page/<int:page>',
    ], type="http", auth="public", website=True, readonly=True, sitemap=sitemap_partners,
        list_as_website_content=_lt("Partners"))
    def partners(self, grade=None, country=None, page=1, search="", industry="", country_all="", **kwargs):
        industry_id = request.env["ir.http"]._unslug(industry)[1] if industry else None
        values = request.env["res.partner"]._directory_search(
            grade=grade,
            country=country,
            industry=request.env["res.partner.industry"].sudo().browse(industry_id).exists() if industry_id else None,
            search=search,
            page=page,
            country_all=bool(country_all),
            geoip_country_code=request.geoip.country_code,
            website=request.website,
        )
        if values is None:
            raise request.not_found()
        values["link_prefix"] = prefix = direct_link_prefix()
        values["directory_url"] = url = DirectoryUrl(values, country_all=bool(country_all), prefix=prefix or "")
        values["pager"] = request.website.pager(
            url=url.path(url.grade, url.country), total=values["total"], page=values["page"], step=values["step"],
            scope=5, url_args=url.query(),
        )
        return request.render("partner_program.directory", values)

    # Odoo's website_partner serves /partners/<slug> for any published partner: resellers follow the
    # directory's rules here, other partners keep that page. It stays read/write: website_partner declares it so,
    # and Odoo refuses an override that changes a route's mode.
    @http.route()
    def partners_detail(self, partner_id, **post):
        partner = request.env["res.partner"]._directory_find(request.env["ir.http"]._unslug(partner_id)[1])
        if not partner:
            return super().partners_detail(partner_id, **post)
        if not partner._directory_is_visible(request.website):
            raise request.not_found()
        if request.env["ir.http"]._slug(partner) != partner_id:
            return request.redirect("/partners/%s" % request.env["ir.http"]._slug(partner), code=301)
        return request.render("partner_program.partner_page", {
            "main_object": partner,
            "partner": partner,
            "references": partner._directory_references(request.website),
            "editor": request.env["res.partner"]._directory_is_editor(),
        })

    @http.route("/partners/<partner_id>/contact", type="http", auth="public", website=True, sitemap=False,
                methods=["GET", "POST"], captcha="partner_contact")
    def partner_contact(self, partner_id, **post):
        partner = self._contact_partner(partner_id)
        values = {"main_object": partner, "partner": partner, "form": post, "errors": {}, "error": False,
                  "contact_fields": PARTNER_CONTACT_FORM.widgets(partner)}
        if request.httprequest.method == "POST":
            post.pop("csrf_token", None)
            _lead, errors, error = submit_form(
                request.env, partner._directory_create_lead, post, request.geoip.country_code)
            if errors is not None:
                values.update(errors=errors, error=error)
                return request.render("partner_program.partner_contact", values, status=400)
            return request.redirect("/partners/%s/contact/sent" % request.env["ir.http"]._slug(partner))
        return request.render("partner_program.partner_contact", values)

    @http.route("/partners/<partner_id>/contact/sent", type="http", auth="public", website=True, sitemap=False,
                readonly=True)
    def partner_contact_sent(self, partner_id, **post):
        partner = self._contact_partner(partner_id)
        return request.render("partner_program.partner_contact_sent", {"main_object": partner, "partner": partner})

    def _contact_partner(self, partner_id):
        partner = request.env["res.partner"]._directory_find(request.env["ir.http"]._unslug(partner_id)[1])
        if not partner or not partner._directory_is_visible(request.website):
            raise request.not_found()
        return partner


class DirectoryUrl:
    """Links of the directory page: the current filters, with some changed."""

    def __init__(self, values, country_all=False, prefix=""):
        self.prefix = prefix  # the links' language prefix (see links.direct_link_prefix): added by __call__
        self.grade = values["current_grade"]
        # A GeoIP pre-selection is not part of the URL: the visitor did not choose it.
        self.country = values["current_country"] if not values["country_from_geoip"] else None
        self.industry = values["current_industry"]
        self.search = values["search"]
        self.country_all = country_all

    def path(self, grade, country):
        slug = request.env["ir.http"]._slug
        path = "/partners"
        if grade:
            path += "/grade/%s" % slug(grade)
        if country:
            path += "/country/%s" % slug(country)
        return path

    def query(self, industry=None, country_all=None, search=None):
        industry = self.industry if industry is None else industry
        search = self.search if search is None else search
        query = {}
        if search:
            query["search"] = search
        if industry:
            query["industry"] = request.env["ir.http"]._slug(industry)
        if country_all if country_all is not None else self.country_all:
            query["country_all"] = 1
        return query

    def __call__(self, grade=None, country=None, industry=None, all_countries=False, **kwargs):
        """URL of the directory with the given filters changed; ``False`` resets one
        (``country=False``: all countries; ``industry=False``: all industries; ``grade=False``: all levels).
        """
        grade = self.grade if grade is None else grade
        if all_countries:
            country, country_all = None, True
        else:
            country = self.country if country is None else country
            country_all = False if country else None
        query = self.query(industry=industry, country_all=country_all, **kwargs)
        return self.prefix + self.path(grade, country) + ("?%s" % urlencode(query) if query else "")
