import { registry } from "@web/core/registry";

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
