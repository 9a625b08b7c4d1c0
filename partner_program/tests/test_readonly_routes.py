import logging

from odoo.tests import tagged

from .common import LYON
from .common_portal import PartnerPortalCase
from .common_referral import ReferralHttpCase

# Pages that only read: with db_replica_host set, Odoo serves them from the read replica.
READONLY_ROUTES = (
    "/partners",
    "/partners/<partner_id>/contact/sent",
    "/partners/apply/thanks",
    "/my/leads",
    "/my/leads/page/<int:page>",
    "/my/opportunities",
    "/my/registrations",
    "/my/referrals",
    "/my/rewards",
    "/my/rewards/statement/<int:statement_id>",
    "/my/partner-program",
    "/my/deal-sales",
    "/my/deal-sales/<int:order_id>",
    "/my/fund-requests",
    "/my/fund-requests/<int:request_id>",
    "/my/fund-requests/<int:request_id>/files/<int:attachment_id>",
)
# Routes that write (an answer, a form, a counted click) stay on the primary.
WRITING_ROUTES = (
    "/r/<string:code>",
    "/my/lead/<int:lead_id>/interested",
    "/my/lead/<int:lead_id>/not_interested",
    "/my/opportunity/<int:lead_id>/update",
    "/my/opportunity/<int:lead_id>/contact",
    "/my/registrations/new",
    "/my/registration/<int:registration_id>/close",
    "/my/referrals/links/new",
    "/my/leads/submit",
    "/my/fund-requests/new",
    "/my/fund-requests/<int:request_id>/claim",
    "/partners/apply",
    "/partners/<partner_id>/contact",
)
# Pages that read but may write: Odoo's portal pager (previous/next record of the list just seen) gives those
# records an access token the first time; website_partner declares /partners/<slug> read/write, and Odoo refuses
# an override that changes a route's mode.
READ_WRITE_PAGES = (
    "/my/lead/<int:lead_id>",
    "/my/opportunity/<int:lead_id>",
    "/my/registration/<int:registration_id>",
    "/partners/<partner_id>",
)


@tagged("post_install", "-at_install")
class TestReadonlyRoutes(PartnerPortalCase):
    """Several Odoo servers with a read replica: which routes the replica serves, and why a lagging replica
    never lets a reseller answer a lead twice."""

    def _routing(self):
        IrHttp = self.env["ir.http"]
        return {url: endpoint.routing for url, endpoint in IrHttp._generate_routing_rules(
            sorted(self.registry._init_modules), converters=IrHttp._get_converters())}

    def test_read_only_pages_are_declared_readonly_and_writing_routes_are_not(self):
        routing = self._routing()
        for url in READONLY_ROUTES:
            with self.subTest(url=url):
                self.assertIs(routing[url]["readonly"], True)
        for url in WRITING_ROUTES + READ_WRITE_PAGES:
            with self.subTest(url=url):
                self.assertIs(routing[url]["readonly"], False)

    def test_read_only_pages_write_nothing(self):
        """Odoo opens a read-only transaction for them (tests simulate the replica with SET TRANSACTION READ
        ONLY): a write would fail there and be served again on the primary with a warning."""
        demo_user = self.env.ref("partner_program.user_reseller_lyon")
        fund_request = self.env.ref("partner_program.fund_request_lyon_newspaper")
        sale = self.env.ref("partner_program.sale_order_deal_lyon_won")
        self.grade_gold.is_published = True
        listed = self._reseller("Listed Test Reseller", LYON, grade=self.grade_gold, is_published=True)
        pages = {
            None: ["/partners", "/partners/%s/contact/sent" % self.env["ir.http"]._slug(listed),
                   "/partners/apply/thanks"],
            # each list first: the pages after it would see the list's history
            demo_user: ["/my/leads", "/my/opportunities", "/my/registrations", "/my/referrals", "/my/rewards",
                        "/my/partner-program", "/my/deal-sales", "/my/deal-sales/%s" % sale.id, "/my/fund-requests",
                        "/my/fund-requests/%s" % fund_request.id],
        }
        for user, urls in pages.items():
            self.authenticate(user and user.login, user and user.login)
            for url in urls:
                with self.subTest(url=url), self.assertNoLogs("odoo.http", logging.WARNING):
                    response = self.url_open(url, allow_redirects=False)
                    self.assertEqual(response.status_code, 200, url)

    def test_an_answer_from_a_stale_page_is_refused_and_records_nothing(self):
        """The stale-replica rule: a list from a lagging replica (or a page left open) still offers a lead that was
        declined meanwhile; the answer is a POST on the primary that checks the lead again under lock."""
        self.env.company.partner_reassign_auto = False
        self._login(self.user_a)
        self.assertIn("/my/lead/%s\"" % self.lead_a.id, self.url_open("/my/leads").text)
        stale = self.url_open("/my/lead/%s" % self.lead_a.id)
        self.assertEqual(stale.status_code, 200)
        token = self._csrf_token(stale)
        declined = self._post("/my/lead/%s/not_interested" % self.lead_a.id,
                              {"comment": "Not our market", "contacted": "0"}, token=token)
        self.assertEqual(declined.status_code, 303)
        for url in ("/my/lead/%s/interested", "/my/lead/%s/not_interested"):
            response = self._post(url % self.lead_a.id, self._interested_form(comment="Again"), token=token)
            self.assertEqual(response.status_code, 404, url)
        self.assertEqual(self.lead_a.type, "lead")
        self.assertFalse(self.lead_a.partner_assigned_id)
        self.assertEqual(self.lead_a.partner_declined_ids, self.reseller_a)
        feedback = self.lead_a.message_ids.filtered(lambda message: message.message_type == "comment")
        self.assertEqual(len(feedback), 1, "the refused answers left no feedback")
        self.assertNotIn("/my/lead/%s\"" % self.lead_a.id, self.url_open("/my/leads").text)


@tagged("post_install", "-at_install")
class TestReadonlyRewardPages(ReferralHttpCase):
    """The referral and reward pages a replica serves write nothing either, a statement included."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._offer("referral_signup", amount=25)
        cls.reward_a = cls._referred_lead(cls.partner_a, name="Deal of A").partner_reward_ids
        cls.reward_a.action_approve()

    def test_referral_and_reward_pages_write_nothing(self):
        self._login(self.user_a)
        statement = "/my/rewards/statement/%s" % self.reward_a.statement_id.id
        for url in ("/my/referrals", "/my/rewards", statement, statement + "?report_type=html"):
            with self.subTest(url=url), self.assertNoLogs("odoo.http", logging.WARNING):
                response = self.url_open(url, allow_redirects=False)
                self.assertEqual(response.status_code, 200, url)
                if url != "/my/referrals":
                    self.assertIn(self.reward_a.name, response.text)
