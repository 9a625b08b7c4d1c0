import importlib
import os

from odoo.modules import get_module_path
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import LazyGettext, PoFileReader, TranslationModuleReader

from ..forms.form import MESSAGES, Form

MODULE = "partner_program"
FORM_MODULES = ("partner_application", "partner_directory", "referral", "reseller_portal")


def form_terms():
    """Every label and message of the form layer: (form, field, term)."""
    for module_name in FORM_MODULES:
        module = importlib.import_module("odoo.addons.%s.forms.%s" % (MODULE, module_name))
        for form_name, form in vars(module).items():
            if not isinstance(form, Form):
                continue
            for field in form:
                for term in (field.label, field.missing, field.invalid, field.placeholder, field.summary):
                    if isinstance(term, LazyGettext):
                        yield form_name, field.name, term._source
    for key, term in MESSAGES.items():
        yield "MESSAGES", key, term._source


@tagged("post_install", "-at_install")
class TestI18n(TransactionCase):
    def test_committed_pot_has_the_current_terms(self):
        pot = os.path.join(get_module_path(MODULE), "i18n", MODULE + ".pot")
        self.assertTrue(os.path.isfile(pot), "%s is missing: run make pot" % pot)
        # Msgids only: the header, dates, comments and occurrences may differ without harm.
        committed = {entry.msgid for entry in PoFileReader(pot).pofile if entry.msgid and not entry.obsolete}
        # The same reader `odoo i18n export` (make pot) writes the file from.
        current = {row[4] for row in TranslationModuleReader(self.env.cr, modules=[MODULE]) if row[0] == MODULE}
        missing, extra = sorted(current - committed), sorted(committed - current)
        if missing or extra:
            self.fail(
                "%s is not current, run make pot (missing: %d, extra: %d)\n%s" % (
                    os.path.relpath(pot, os.path.dirname(get_module_path(MODULE))), len(missing), len(extra),
                    "\n".join(["missing: %r" % m for m in missing] + ["extra: %r" % e for e in extra]),
                )
            )

    def test_every_form_label_and_message_is_in_the_pot(self):
        pot = os.path.join(get_module_path(MODULE), "i18n", MODULE + ".pot")
        committed = {entry.msgid for entry in PoFileReader(pot).pofile if entry.msgid and not entry.obsolete}
        terms = list(form_terms())
        self.assertGreater(len(terms), 40, "the forms' labels are found")
        missing = ["%s.%s: %r" % (form, field, term) for form, field, term in terms if term not in committed]
        self.assertFalse(missing, "form labels the translators never see:\n" + "\n".join(missing))
