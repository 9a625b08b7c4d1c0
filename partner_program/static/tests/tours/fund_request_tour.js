import { registry } from "@web/core/registry";

// Market development funds, end to end: the reseller requests, a partner manager approves, the reseller claims
// with a proof file, the manager approves the claim, the reseller reads the new balance. One tour per person
// and step; tests/test_fund_request_tour.py chains them (and checks the vendor bill in between).

// The smallest file the server recognises as a PDF (it judges the content, not the name).
const PROOF_PDF = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

/** Set an input's value as a user does (date inputs included) and let the page know. */
function setValue(selector, value) {
    const input = document.querySelector(selector);
    input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
}

function today() {
    const now = new Date();
    const pad = (number) => String(number).padStart(2, "0");
    return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

// (a) The reseller asks 2,000 for a trade show from its program page.
registry.category("web_tour.tours").add("partner_program_fund_request", {
    url: "/my/partner-program",
    steps: () => [
        {
            content: "The fund block offers to request funds",
            trigger: "#partner_program_funds a.o_fund_request_new",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The fund to draw from",
            trigger: "form.o_fund_request_form select[name=fund_id]:has(option:contains('Marketing fund'))",
        },
        {
            content: "The amount",
            trigger: "form.o_fund_request_form input[name=amount]",
            run: "edit 2000",
        },
        {
            content: "The type of activity",
            trigger: "form.o_fund_request_form select[name=activity_type]",
            run: "select event",
        },
        {
            content: "The activity",
            trigger: "form.o_fund_request_form input[name=name]",
            run: "edit Tour trade show",
        },
        {
            content: "Its dates",
            trigger: "form.o_fund_request_form input[name=date_start]",
            run() {
                setValue("form.o_fund_request_form input[name=date_start]", today());
                setValue("form.o_fund_request_form input[name=date_end]", today());
            },
        },
        {
            content: "What is expected",
            trigger: "form.o_fund_request_form textarea[name=expected_results]",
            run: "edit 40 qualified leads",
        },
        {
            content: "Send the request",
            trigger: "form.o_fund_request_form button[type=submit]",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The request's page: sent, submitted",
            trigger: ".o_fund_request:contains('Tour trade show') .o_fund_request_state:contains('Submitted')",
        },
        {
            content: "The reseller is told",
            trigger: ".o_pp_done:contains('Your request is sent')",
        },
        {
            content: "No claim form before the approval",
            trigger: "body:not(:has(form.o_fund_claim_form))",
        },
    ],
});

// (b) and (d) A partner manager, on the request's form (the test opens it), presses a button and confirms.
function approveSteps(button, fromState, toState) {
    return [
        {
            content: `The request is ${fromState}`,
            trigger: `.o_form_view .o_statusbar_status .o_arrow_button_current:contains('${fromState}')`,
        },
        {
            content: "Approve (in full: the amount is left as the partner gave it)",
            trigger: `.o_form_view .o_form_statusbar button[name=${button}]`,
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: `The request is ${toState}`,
            trigger: `.o_form_view .o_statusbar_status .o_arrow_button_current:contains('${toState}')`,
        },
        {
            content: "The dialog is gone",
            trigger: "body:not(:has(.modal))",
        },
    ];
}

registry.category("web_tour.tours").add("partner_program_fund_request_approve", {
    steps: () => [
        ...approveSteps("action_approve", "Submitted", "Approved"),
        {
            content: "The whole amount is reserved in the fund",
            trigger: ".o_form_view .o_field_widget[name=reserved_amount]:contains('2,000.00')",
        },
    ],
});

// (c) The reseller claims the actual cost on the request's page, with its invoice as proof.
registry.category("web_tour.tours").add("partner_program_fund_request_claim", {
    steps: () => [
        {
            content: "Approved: the claim form is offered",
            trigger: ".o_fund_request .o_fund_request_state:contains('Approved')",
        },
        {
            content: "The actual cost",
            trigger: "form.o_fund_claim_form input[name=claim_amount]",
            run: "edit 1500",
        },
        {
            content: "The results",
            trigger: "form.o_fund_claim_form textarea[name=claim_results]",
            run: "edit 52 leads, 6 demos",
        },
        {
            content: "The proof: the stand's invoice",
            trigger: "form.o_fund_claim_form input[type=file][name=attachments]",
            run() {
                const input = document.querySelector("form.o_fund_claim_form input[type=file][name=attachments]");
                const files = new DataTransfer();
                files.items.add(new File([PROOF_PDF], "stand-invoice.pdf", { type: "application/pdf" }));
                input.files = files.files;
                input.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            content: "Send the claim",
            trigger: "form.o_fund_claim_form button[type=submit]",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Claimed",
            trigger: ".o_fund_request .o_fund_request_state:contains('Claimed')",
        },
        {
            content: "The proof is listed with the claim",
            trigger: ".o_fund_request a.o_fund_request_file:contains('stand-invoice.pdf')",
        },
        {
            content: "No second claim",
            trigger: "body:not(:has(form.o_fund_claim_form))",
        },
    ],
});

registry.category("web_tour.tours").add("partner_program_fund_request_approve_claim", {
    steps: () => [
        ...approveSteps("action_approve_claim", "Claimed", "Claim Approved"),
        {
            content: "The payout is there",
            trigger: ".o_form_view button[name=action_view_move]:contains('Payout')",
        },
    ],
});

// (e) The reseller's program page: the claim is debited, nothing is reserved any more.
registry.category("web_tour.tours").add("partner_program_fund_request_balance", {
    url: "/my/partner-program",
    steps: () => [
        {
            content: "Nothing reserved",
            trigger: ".o_partner_program_fund .o_fund_reserved:contains('0.00'):not(:contains('2,000.00'))",
        },
        {
            content: "Available: 5,000 credited, 1,500 paid out",
            trigger: ".o_partner_program_fund .o_fund_available:contains('3,500.00')",
        },
        {
            content: "The ledger shows the debit",
            trigger: ".o_partner_program_fund td:contains('Fund request: Tour trade show')",
        },
    ],
});
