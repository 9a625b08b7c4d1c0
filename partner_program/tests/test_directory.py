from unittest.mock import PropertyMock, patch

from lxml import html

from odoo.fields import Domain
from odoo.tests import tagged
from odoo.tools import SQL

from .common_directory import DirectoryCase, DirectoryHttpCase


@tagged("post_install", "-at_install")
class TestDirectorySearch(DirectoryCase):
    """res.partner._directory_search(): what one directory page holds, for each kind of visitor."""

    def _search(self, user=None, **kwargs):
        return self.env["res.partner"].with_user(user or self.public_user)._directory_search(**kwargs)

    def _counts(self, entries):
        return {entry["record"]: entry["count"] for entry in entries}

    def test_visitor_sees_published_companies_of_published_active_levels_in_directory_order(self):
        for user in (self.public_user, self.portal_user):
            values = self._search(user)
            self.assertEqual(values["partners"], self.lyon + self.brussels + self.paris)
            self.assertEqual(values["total"], 3)
            self.assertFalse(values["editor"])

    def test_order_is_level_then_published_references_then_name(self):
        # Brussels gets a third published reference: it now outranks Lyon (two) within Test Gold.
        self.env["res.partner"].create([{"name": "Ref %s" % i, "is_published": True,
                                         "assigned_partner_id": self.brussels.id} for i in range(2)])
        self.assertEqual(self._search()["partners"], self.brussels + self.lyon + self.paris)
        # A better level wins over references.
        self.paris.grade_id = self.env["res.partner.grade"].create({"name": "Test Diamond", "sequence": 0})
        self.assertEqual(self._search()["partners"], self.paris + self.brussels + self.lyon)

    def test_website_editor_also_sees_unpublished_partners_and_levels_never_archived_ones(self):
        values = self._search(self.web_editor)
        self.assertTrue(values["editor"])
        self.assertEqual(
            set(values["partners"].ids),
            {self.lyon.id, self.brussels.id, self.paris.id, self.hidden.id, self.on_unpublished_level.id},
        )
        self.assertNotIn(self.grade_archived, self._counts(values["grades"]))

    def test_unpublishing_or_archiving_a_level_hides_its_partners(self):
        self.grade_silver.is_published = False
        self.assertNotIn(self.paris, self._search()["partners"])
        self.grade_gold.active = False
        self.assertFalse(self._search()["partners"])

    def test_counts_per_level_country_and_industry_honour_the_other_filters(self):
        values = self._search()
        self.assertEqual(self._counts(values["grades"]), {self.grade_gold: 2, self.grade_silver: 1})
        self.assertEqual(self._counts(values["countries"]), {self.fr: 2, self.be: 1})
        # Industries come from published references only (the confidential customer is Manufacturing too).
        self.assertEqual(self._counts(values["industries"]), {self.food: 1, self.manufacturing: 1})
        self.assertEqual((values["grades_total"], values["countries_total"]), (3, 3))

        values = self._search(country=self.fr)
        self.assertEqual(values["partners"], self.lyon + self.paris)
        self.assertEqual(self._counts(values["grades"]), {self.grade_gold: 1, self.grade_silver: 1})
        self.assertEqual(self._counts(values["countries"]), {self.fr: 2, self.be: 1})  # not narrowed by itself
        self.assertEqual(self._counts(values["industries"]), {self.food: 1})

        values = self._search(grade=self.grade_silver)
        self.assertEqual(values["partners"], self.paris)
        self.assertEqual(self._counts(values["countries"]), {self.fr: 1})
        self.assertEqual(self._counts(values["grades"]), {self.grade_gold: 2, self.grade_silver: 1})

        values = self._search(industry=self.manufacturing)
        self.assertEqual(values["partners"], self.brussels)
        self.assertEqual(self._counts(values["countries"]), {self.be: 1})
        self.assertEqual(self._counts(values["industries"]), {self.food: 1, self.manufacturing: 1})

    def test_a_chosen_country_without_partners_stays_selected_with_zero(self):
        values = self._search(country=self.us)
        self.assertFalse(values["partners"])
        self.assertEqual(values["current_country"], self.us)
        self.assertEqual(self._counts(values["countries"]), {self.fr: 2, self.be: 1, self.us: 0})

    def test_search_matches_name_and_address(self):
        self.assertEqual(self._search(search="lyon")["partners"], self.lyon)
        self.assertEqual(self._search(search="Bellecour")["partners"], self.lyon)  # street
        self.assertEqual(self._search(search="Belgium")["partners"], self.brussels)  # country name
        self.assertEqual(self._search(search="Waffles")["partners"], self.brussels)  # description
        values = self._search(search="Paris")
        self.assertEqual(values["partners"], self.paris)
        self.assertEqual(self._counts(values["countries"]), {self.fr: 1})
        self.assertFalse(self._search(search="Nowhere at all")["partners"])

    def test_geoip_preselects_the_visitors_country_only_when_it_has_partners(self):
        values = self._search(geoip_country_code="BE")
        self.assertEqual(values["current_country"], self.be)
        self.assertTrue(values["country_from_geoip"])
        self.assertEqual(values["partners"], self.brussels)
        self.assertEqual(self._counts(values["grades"]), {self.grade_gold: 1})

        values = self._search(geoip_country_code="DE")
        self.assertFalse(values["current_country"])
        self.assertEqual(values["total"], 3)

        values = self._search(geoip_country_code="BE", country_all=True)
        self.assertFalse(values["current_country"])
        self.assertEqual(values["total"], 3)

        # Silver has no Belgian partner: no pre-selection that would empty the page.
        values = self._search(grade=self.grade_silver, geoip_country_code="BE")
        self.assertFalse(values["current_country"])
        self.assertEqual(values["partners"], self.paris)

    def test_pages_split_the_ordered_result_and_clamp_out_of_range_pages(self):
        first = self._search(step=2)
        self.assertEqual(first["partners"], self.lyon + self.brussels)
        second = self._search(step=2, page=2)
        self.assertEqual(second["partners"], self.paris)
        self.assertEqual(second["page"], 2)
        self.assertEqual(self._search(step=2, page=99)["page"], 2)

    def test_hidden_level_in_the_url_is_not_found_for_visitors(self):
        self.assertIsNone(self._search(grade=self.grade_unpublished))
        self.assertIsNone(self._search(grade=self.grade_archived))
        self.assertIsNone(self._search(self.web_editor, grade=self.grade_archived))
        values = self._search(self.web_editor, grade=self.grade_unpublished)
        self.assertEqual(values["partners"], self.on_unpublished_level)

    def test_a_country_page_reads_the_directory_index_not_every_contact(self):
        # The visitors' domain must stay within the partial index's WHERE, or PostgreSQL falls back to reading
        # the whole contact table for every directory page (the planner is told to prefer indexes: the test
        # database is too small for it to choose one on its own).
        Partner = self.env["res.partner"].with_user(self.public_user)
        domain = Partner._directory_domain() & Domain("country_id", "=", self.lyon.country_id.id)
        query = Partner.sudo()._search(domain)
        self.env.cr.execute("SET LOCAL enable_seqscan = off")
        self.env.cr.execute(SQL("EXPLAIN %s", query.select()))
        plan = "\n".join(row[0] for row in self.env.cr.fetchall())
        self.env.cr.execute("SET LOCAL enable_seqscan = on")
        self.assertIn("res_partner_directory_idx", plan)

    def test_query_count_does_not_depend_on_the_number_of_partners(self):
        Partner = self.env["res.partner"].with_user(self.public_user)
        Partner._directory_search()  # warm the caches (groups, website)
        self.env.invalidate_all()
        with self.assertQueryCount(6):
            Partner._directory_search()
        self.env["res.partner"].create([{
            "name": "Bulk Test Reseller %03d" % index, "is_company": True, "is_published": True,
            "grade_id": (self.grade_gold if index % 2 else self.grade_silver).id,
            "country_id": (self.fr if index % 3 else self.be).id,
        } for index in range(100)])
        self.env.invalidate_all()
        with self.assertQueryCount(6):
            values = Partner._directory_search()
        self.assertEqual(values["total"], 103)


@tagged("post_install", "-at_install")
class TestDirectoryPages(DirectoryHttpCase):
    """/partners and its level, country, search, industry and page variants, as a website visitor sees them."""

    def test_public_and_portal_visitors_see_only_published_partners(self):
        for user in (None, self.portal_user):
            self._login(user)
            response = self._get("/partners")
            self.assertEqual(
                self._cards(response), ["Lyon Test Reseller", "Brussels Test Reseller", "Paris Test Reseller"]
            )
            for hidden in ("Hidden Test Reseller", "Secret Level Test Reseller", "Old Level Test Reseller",
                           "Lonely Test Consultant"):
                self.assertNotIn(hidden, response.text)
            self.assertNotIn("Unpublished", response.text)

    def test_website_editor_sees_unpublished_partners_with_a_badge(self):
        self._login(self.web_editor)
        response = self._get("/partners")
        cards = self._cards(response)
        self.assertIn("Hidden Test Reseller", cards)
        self.assertIn("Secret Level Test Reseller", cards)
        self.assertNotIn("Old Level Test Reseller", response.text)
        tree = html.fromstring(response.text)
        badges = {
            self._by_class(card, "o_partner_card_name")[0].text_content().strip()
            for card in self._by_class(tree, "o_partner_card") if self._by_class(card, "o_partner_unpublished")
        }
        self.assertEqual(badges, {"Hidden Test Reseller"})
        self.assertIn("Unpublished level", response.text)

    def test_levels_and_countries_filter_with_counts(self):
        self._login(None)
        response = self._get("/partners")
        self.assertEqual(self._filters(response, "grades"), ({"All levels": 3, "Test Gold": 2, "Test Silver": 1},
                                                             "All levels"))
        self.assertEqual(self._filters(response, "countries"), ({"All countries": 3, "France": 2, "Belgium": 1},
                                                                "All countries"))

        slug = self.env["ir.http"]._slug
        response = self._get("/partners/country/%s" % slug(self.fr))
        self.assertEqual(self._cards(response), ["Lyon Test Reseller", "Paris Test Reseller"])
        self.assertEqual(self._heading(response), "Find a partner in France")
        self.assertEqual(self._filters(response, "grades")[0], {"All levels": 2, "Test Gold": 1, "Test Silver": 1})
        self.assertEqual(self._filters(response, "countries")[1], "France")

        response = self._get("/partners/grade/%s" % slug(self.grade_gold))
        self.assertEqual(self._cards(response), ["Lyon Test Reseller", "Brussels Test Reseller"])
        self.assertEqual(self._filters(response, "countries")[0], {"All countries": 2, "France": 1, "Belgium": 1})

        response = self._get("/partners/grade/%s/country/%s" % (slug(self.grade_gold), slug(self.be)))
        self.assertEqual(self._cards(response), ["Brussels Test Reseller"])
        self.assertEqual(self._filters(response, "grades"), ({"All levels": 1, "Test Gold": 1}, "Test Gold"))

        response = self._get("/partners?industry=%s" % slug(self.food))
        self.assertEqual(self._cards(response), ["Lyon Test Reseller"])
        self.assertEqual(self._filters(response, "industries")[1], self.food.name)

    def test_search_lyon_finds_the_lyon_partner_and_keeps_the_filters(self):
        self._login(None)
        response = self._get("/partners?search=Lyon")
        self.assertEqual(self._cards(response), ["Lyon Test Reseller"])
        self.assertEqual(self._filters(response, "countries")[0], {"All countries": 1, "France": 1})
        # Filter links keep the search.
        self.assertIn('href="/partners/country/%s?search=Lyon"' % self.env["ir.http"]._slug(self.fr), response.text)

    def test_empty_result_says_so_with_a_way_back(self):
        self._login(None)
        response = self._get("/partners?search=Atlantis")
        self.assertEqual(self._cards(response), [])
        self.assertIn("No partner matches", response.text)
        self.assertIn('href="/partners?country_all=1"', response.text)
        response = self._get("/partners/country/%s" % self.env["ir.http"]._slug(self.us))
        self.assertIn("No partner matches these filters yet", response.text)

    def test_geoip_preselects_the_visitor_country_with_all_countries_one_click_away(self):
        self._login(None)
        with patch("odoo.http.GeoIP.country_code", new_callable=PropertyMock, return_value="BE"):
            response = self._get("/partners")
            self.assertEqual(self._cards(response), ["Brussels Test Reseller"])
            self.assertEqual(self._heading(response), "Find a partner in Belgium")
            self.assertIn('href="/partners?country_all=1"', response.text)
            response = self._get("/partners?country_all=1")
            self.assertEqual(len(self._cards(response)), 3)

    def test_pager_splits_long_lists(self):
        self.env["res.partner"].create([{
            "name": "Bulk Test Reseller %02d" % index, "is_company": True, "is_published": True,
            "grade_id": self.grade_bronze.id, "country_id": self.fr.id,
        } for index in range(30)])
        self._login(None)
        first = self._cards(self._get("/partners"))
        second = self._cards(self._get("/partners/page/2"))
        self.assertEqual(len(first), 24)
        self.assertEqual(len(second), 33 - 24)
        self.assertFalse(set(first) & set(second))
        self.assertEqual(second[-1], "Bulk Test Reseller 29")
        self.assertIn('href="/partners/page/2"', self._get("/partners").text)

    def test_wrong_or_hidden_level_and_country_give_404(self):
        slug = self.env["ir.http"]._slug
        self._login(None)
        self._get("/partners/grade/%s" % slug(self.grade_unpublished), status=404)
        self._get("/partners/grade/%s" % slug(self.grade_archived), status=404)
        self._get("/partners/grade/nothing-999999", status=404)
        self._get("/partners/country/nowhere-999999", status=404)
        self._login(self.web_editor)
        self._get("/partners/grade/%s" % slug(self.grade_unpublished))
        self._get("/partners/grade/%s" % slug(self.grade_archived), status=404)

    def test_search_is_rendered_escaped(self):
        self._login(None)
        response = self._get("/partners?search=%3Cscript%3Ealert(%27xss%27)%3C/script%3E")
        self.assertNotIn("<script>alert('xss')", response.text)
        self.assertIn("&lt;script&gt;alert(", response.text)

    def test_search_with_a_nul_byte_or_a_megabyte_still_answers(self):
        self._login(None)
        response = self._get("/partners?search=Ly%00on")
        self.assertEqual(self._cards(response), ["Lyon Test Reseller"], "the NUL byte is dropped, the search goes on")
        self.assertEqual(self._cards(self._get("/partners?search=" + "x" * 20000)), [])

    def test_partner_data_is_rendered_escaped(self):
        self.lyon.name = "<script>alert('name')</script> Lyon"
        self.lyon.website_short_description = "<script>alert('short')</script>"
        self._login(None)
        response = self._get("/partners")
        self.assertNotIn("<script>alert(", response.text)
        self.assertIn("&lt;script&gt;alert(", response.text)

    def test_query_count_is_the_same_for_20_and_200_partners(self):
        def bulk(start, count):
            self.env["res.partner"].create([{
                "name": "Bulk Test Reseller %03d" % index, "is_company": True, "is_published": True,
                "grade_id": (self.grade_gold if index % 2 else self.grade_silver).id,
                "country_id": (self.fr if index % 3 else self.be).id, "city": "Lyon",
            } for index in range(start, start + count)])

        def queries(url):
            for _warm_up in range(2):
                self._get(url)
            before = self.cr.sql_log_count
            self._get(url)
            return self.cr.sql_log_count - before

        slug = self.env["ir.http"]._slug
        urls = ["/partners", "/partners?search=Lyon", "/partners/page/2", "/partners/country/%s" % slug(self.fr),
                "/partners/grade/%s/country/%s" % (slug(self.grade_gold), slug(self.fr))]
        self._login(None)
        bulk(0, 17)  # 20 published partners with the fixture's three
        small = [queries(url) for url in urls]
        bulk(17, 180)  # 200
        large = [queries(url) for url in urls]
        self.assertEqual(small, large)
        self.assertEqual(len(self._cards(self._get("/partners"))), 24)

    def test_links_keep_the_visitors_language(self):
        """The directory's filter and card links skip the website's per-link rework: they still carry the
        visitor's language."""
        lang = self.env["res.lang"]._activate_lang("fr_FR")
        self.env["website"].get_current_website().language_ids |= lang
        self._login(None)
        tree = html.fromstring(self._get("/fr/partners").text)
        hrefs = [node.get("href") for node in tree.xpath("//a[@data-no-post-process]")]
        self.assertIn("/fr/partners/%s" % self.env["ir.http"]._slug(self.lyon), hrefs)
        self.assertIn("/fr/partners/country/%s" % self.env["ir.http"]._slug(self.fr), hrefs)
        self.assertTrue(hrefs and all(href.startswith("/fr/partners") for href in hrefs), hrefs)

    def test_partners_menu_and_sitemap(self):
        website = self.env["website"].get_current_website()
        self.assertIn("/partners", website.menu_id.child_id.mapped("url"))
        self._login(None)
        self.assertIn('href="/partners"', self._get("/").text)
        sitemap = self._get("/sitemap.xml").text
        slug = self.env["ir.http"]._slug
        for loc in ("/partners</loc>", "/partners/%s</loc>" % slug(self.lyon),
                    "/partners/grade/%s</loc>" % slug(self.grade_gold), "/partners/country/%s</loc>" % slug(self.be)):
            self.assertIn(loc, sitemap)
        for hidden in (self.hidden, self.on_unpublished_level, self.on_archived_level):
            self.assertNotIn("/partners/%s<" % slug(hidden), sitemap)
        self.assertNotIn(slug(self.grade_unpublished), sitemap)

    def test_tour_filter_by_country_then_open_a_partner(self):
        self.start_tour("/partners", "partner_program_directory", login=None)
