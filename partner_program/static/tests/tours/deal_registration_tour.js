import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

// A reseller registers a deal from its portal: it waits for the channel team's approval.
registry.category("web_tour.tours").add("partner_program_deal_registration", {
    url: "/my/registrations",
    steps: () => [
        {
            content: "Register a deal",
            trigger: "a.o_pp_new_registration",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The customer",
            trigger: "input[name=partner_name]",
            run: "edit Tour Customer Robotics",
        },
        {
            content: "The contact",
            trigger: "input[name=contact_name]",
            run: "edit Nora Tour",
        },
        {
            content: "The contact's email",
            trigger: "input[name=email_from]",
            run: "edit nora@tour-customer-robotics.example.org",
        },
        {
            content: "The title",
            trigger: "input[name=name]",
            run: "edit Tour registered deal",
        },
        {
            content: "Expected revenue",
            trigger: "input[name=expected_revenue]",
            run: "edit 12000",
        },
        {
            content: "Register",
            trigger: "button.o_pp_register",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Sent, under review",
            trigger: ".o_pp_registration_status:contains('Under review')",
        },
    ],
});

// Once the channel team approved it: the reseller reads until when the customer is protected.
registry.category("web_tour.tours").add("partner_program_deal_registration_approved", {
    url: "/my/registrations",
    steps: () => [
        {
            content: "The list shows the approval",
            trigger: ".o_pp_registration_row:contains('Tour registered deal') .o_pp_registration_state:contains('Approved')",
        },
        {
            content: "Open the registration",
            trigger: ".o_pp_registration_row a:contains('Tour registered deal')",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Approved, protected until a date",
            trigger: ".o_pp_registration_status:contains('Approved, protected until')",
        },
    ],
});

// The channel manager approves it in the backend: Partner Program > Deal Registrations, open it, Approve.
registry.category("web_tour.tours").add("partner_program_deal_registration_approve", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Partner Program app",
            trigger: ".o_app[data-menu-xmlid='partner_program.menu_partner_program_app']",
            run: "click",
        },
        {
            content: "Open the Deal Registrations menu",
            trigger: ".dropdown-toggle[data-menu-xmlid='partner_program.menu_partner_deal_registrations']",
            run: "click",
        },
        {
            content: "Open the registrations to review",
            trigger: ".dropdown-item[data-menu-xmlid='partner_program.menu_partner_deal_registrations_review']",
            run: "click",
        },
        {
            content: "The registration waits for review",
            trigger: ".o_list_view .o_data_row:contains('Tour registered deal') td[name='state']:contains('Under Review')",
        },
        {
            content: "The competing lead of another reseller is counted",
            trigger: ".o_list_view .o_data_row:contains('Tour registered deal') td[name='conflict_count']:contains('1')",
        },
        {
            content: "Open the registration",
            trigger: ".o_list_view .o_data_row td[name='name']:contains('Tour registered deal')",
            run: "click",
        },
        {
            content: "Approve",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_approve']",
            run: "click",
        },
        {
            content: "The registration is approved",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Approved')",
        },
        {
            content: "The customer is protected until a date",
            trigger: ".o_form_view .o_field_widget[name='protection_end']:not(:empty)",
        },
        {
            content: "The reseller's opportunity is created",
            trigger: ".o_form_view .o_field_widget[name='lead_id'] :contains('Tour registered deal')",
        },
        {
            content: "Approve is done: the button is gone",
            trigger: ".o_form_view .o_statusbar_buttons:not(:has(button[name='action_approve']))",
        },
    ],
});
