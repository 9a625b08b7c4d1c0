import glob
import io
import os
import re

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import trans_export

from .common_portal import PartnerPortalCase
from .common_referral import ReferralHttpCase

I18N_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "i18n")
POT_PATH = os.path.join(I18N_DIR, "partner_program.pot")
# What a translation must carry over unchanged: %s, %(name)s, {}, {name}, {{ expr }}, and the tags of QWeb terms.
PLACEHOLDER_RE = re.compile(r"%(?:\([^)]+\))?[-+#0]*\d*(?:\.\d+)?[sdifr%]|\{\{.*?\}\}|\{[\w.]*\}")
TAG_RE = re.compile(r"<(/?[\w:-]+)")


def placeholders(text):
    return sorted(PLACEHOLDER_RE.findall(text)) + sorted(TAG_RE.findall(text))


def shipped_languages():
    return sorted(os.path.basename(path)[:-3] for path in glob.glob(os.path.join(I18N_DIR, "*.po")))


def activate_french(env):
    """French active, with the add-on's terms loaded and on the default website (as the demo data does)."""
    lang = env["res.lang"]._activate_lang("fr_FR")
    env["ir.module.module"].search([("name", "=", "partner_program")])._update_translations(["fr_FR"])
    website = env.ref("website.default_website")
    website.language_ids |= lang
    return lang


class TestShippedTranslations(TransactionCase):
    """Every string of the add-on is translated in every language it ships, with its placeholders intact."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if os.path.exists(POT_PATH):
            cls.msgids = {entry.msgid for entry in polib.pofile(POT_PATH) if entry.msgid}
        else:
            buffer = io.BytesIO()
            trans_export(None, ["partner_program"], buffer, "po", cls.env)
            cls.msgids = {entry.msgid for entry in polib.pofile(buffer.getvalue().decode()) if entry.msgid}

    def test_the_add_on_ships_french_german_spanish_and_russian(self):
        self.assertTrue({"fr", "de", "es", "ru"} <= set(shipped_languages()), shipped_languages())

    def test_every_msgid_has_a_translation_that_keeps_its_placeholders(self):
        self.assertGreater(len(self.msgids), 500)
        for lang in shipped_languages():
            with self.subTest(lang=lang):
                po = polib.pofile(os.path.join(I18N_DIR, "%s.po" % lang))
                translated = {entry.msgid: entry for entry in po if entry.msgid and not entry.obsolete}
                missing = sorted(m for m in self.msgids if m not in translated or not translated[m].msgstr)
                self.assertFalse(missing, "%s: %d untranslated msgid(s), e.g. %r" % (lang, len(missing), missing[:5]))
                fuzzy = sorted(e.msgid for e in po if e.fuzzy)
                self.assertFalse(fuzzy, "%s: fuzzy translations %r" % (lang, fuzzy[:5]))
                wrong = [(m, translated[m].msgstr) for m in sorted(self.msgids)
                         if placeholders(m) != placeholders(translated[m].msgstr)]
                self.assertFalse(wrong, "%s: placeholders differ in %r" % (lang, wrong[:3]))


@tagged("post_install", "-at_install")
class TestFrenchWebsite(ReferralHttpCase):
    """The published directory and the application form, in French."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_french(cls.env)

    def test_directory_speaks_french(self):
        page = self.url_open("/fr/partners")
        self.assertEqual(page.status_code, 200)
        for label in ("Trouver un partenaire", "Rechercher des partenaires", "Devenir partenaire"):
            self.assertIn(label, page.text)
        self.assertNotIn("Find a partner", page.text)

    def test_application_form_speaks_french(self):
        page = self.url_open("/fr/partners/apply")
        self.assertEqual(page.status_code, 200)
        for label in ("Envoyer ma candidature", "Type de partenariat", "Nos partenaires"):
            self.assertIn(label, page.text)
        self.assertNotIn("Send my application", page.text)


@tagged("post_install", "-at_install")
class TestFrenchResellerPortal(PartnerPortalCase):
    """A reseller's lead list, in French."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_french(cls.env)

    def test_lead_list_speaks_french(self):
        self._login(self.user_a)
        page = self.url_open("/fr/my/leads")
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.lead_a.name, page.text)
        for label in ("Période :", "Répondre avant le", "Ville"):
            self.assertIn(label, page.text)
        self.assertNotIn("Answer Before", page.text)
