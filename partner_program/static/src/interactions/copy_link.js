import { Interaction } from "@web/public/interaction";
import { registry } from "@web/core/registry";
import { _t } from "@web/core/l10n/translation";
import { browser } from "@web/core/browser/browser";

/** /my/referrals: the "Copy" button next to a referral link puts the link on the clipboard. */
export class CopyReferralLink extends Interaction {
    static selector = ".o_pp_copy_link";
    dynamicContent = {
        _root: { "t-on-click.prevent": this.copy },
    };

    async copy() {
        await browser.navigator.clipboard.writeText(this.el.dataset.url);
        this.el.querySelector("span").textContent = _t("Copied");
    }
}

registry.category("public.interactions").add("partner_program.copy_referral_link", CopyReferralLink);
