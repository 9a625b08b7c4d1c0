import os

from odoo.modules import get_module_path
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import PoFileReader, TranslationModuleReader

MODULE = "partner_program"


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
