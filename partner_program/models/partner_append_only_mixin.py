"""partner.append.only.mixin: records written once and kept as they are (logs, ledgers, histories)."""
from odoo import api, models
from odoo.exceptions import UserError


class PartnerAppendOnlyMixin(models.AbstractModel):
    _name = "partner.append.only.mixin"
    _description = "Append-only Record"

    def _append_only_messages(self):
        """The model's refusals, translated: (why a record cannot be changed, why it cannot be deleted)."""
        raise NotImplementedError

    def write(self, vals):
        # Refused to everyone, administrators and RPC included; a user without write access is told that first.
        if self:
            self.check_access("write")
            raise UserError(self._append_only_messages()[0])
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self._append_only_messages()[1])
