import { registry } from "@web/core/registry";

// A reseller accepts a lead, lands on its new opportunity and moves it to the next stage.
registry.category("web_tour.tours").add("partner_program_portal_interested", {
    url: "/my/leads",
    steps: () => [
        {
            content: "Open the lead",
            trigger: ".o_pp_row a:contains('Tour lead')",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Say I'm interested",
            trigger: "button[name=o_pp_interested_toggle]",
            run: "click",
        },
        {
            content: "Plan a call",
            trigger: "#o_pp_interested.show select[name=activity_type_id]",
            run: "selectByLabel Call",
        },
        {
            content: "On a date",
            trigger: "#o_pp_interested.show input[name=activity_date_deadline]",
            run(helpers) {
                helpers.anchor.value = "2099-01-15";
            },
        },
        {
            content: "About a demo",
            trigger: "#o_pp_interested.show input[name=activity_summary]",
            run: "edit Demo of the solution",
        },
        {
            content: "Expect some revenue",
            trigger: "#o_pp_interested.show input[name=expected_revenue]",
            run: "edit 15000",
        },
        {
            content: "Confirm the customer was contacted",
            trigger: "#o_pp_interested.show input[name=contacted]",
            run: "check",
        },
        {
            content: "Confirm",
            trigger: "#o_pp_interested.show button.o_pp_confirm_interested",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The lead is now my opportunity",
            trigger: ".o_pp_done:contains('now your opportunity')",
        },
        {
            content: "My next activity is planned",
            trigger: ".o_pp_next_activity:contains('Demo of the solution')",
        },
        {
            content: "Move it to Proposition",
            trigger: "form.o_pp_update_form select[name=stage_id]",
            run: "selectByLabel Tour Proposition",
        },
        {
            content: "Save",
            trigger: "form.o_pp_update_form button.o_pp_save_update",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The opportunity is in Proposition",
            trigger: ".o_pp_done:contains('saved')",
        },
        {
            content: "Stage badge shows it",
            trigger: ".o_pp_stage:contains('Tour Proposition')",
        },
    ],
});
