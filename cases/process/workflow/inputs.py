"""What an actor sends with an action. Serializers and forms only parse these fields into types; whether
one is required, and what to say when it is missing, is said here once."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Input:
    """One field an action takes. Both doors, the API's serializers and the pages' forms, are built from
    it, so a limit holds at either (and text is checked as text: no NUL characters)."""

    name: str
    label: str
    kind: str  # "text" or "date": how the API and the pages parse and render it
    required: str = ""  # the message when it is missing; empty: optional
    help: str = ""
    max_length: int = 5000  # for text

    @property
    def too_long(self):
        return f"At most {self.max_length:,} characters."


DECISION_REASON = Input("reason", "Reason", "text", required="A reason is required to deny or return a case.",
                        help="Required to deny or return: what the purchaser must fix, or why the request is denied.")
WITHDRAWAL_REASON = Input("reason", "Reason (optional)", "text", help="withdraw: why the purchaser withdraws.",
                          max_length=2000)
IA_APPROVAL_DAY = Input("on", "IA approved on", "date", help="ia-approval: the day the IA approved (default today).")
WAIVER_JUSTIFICATION = Input("justification", "Justification", "text",
                             required="An emergency waiver needs a written justification.",
                             help="emergency-waiver: the President's emergency certification.")
CORRECTED_DAY = Input("on", "IA approved on", "date", required="Give the day the IA really approved.",
                      help="ia-approval-correction: the right IA approval day (the OED follows it).")
CORRECTION_REASON = Input("reason", "Why the recorded day is wrong", "text",
                          required="A correction needs its reason: the audit trail keeps it.",
                          help="ia-approval-correction: what was wrong with the day recorded.")
SIGNED_ON = Input("signed_on", "Signature date", "date", required="Give the date the purchaser signed the LOA.",
                  help="acceptance: the purchaser's signature.")
DEPOSIT_ON = Input("initial_deposit_on", "Initial deposit received", "date",
                   required="Give the date the initial deposit was received.", help="acceptance: the initial deposit.")


ASSURANCE_GIVEN_ON = Input("given_on", "Assurance given on", "date",
                           required="Give the day the participant gave its assurance.",
                           help="retransfer-assurance: the day the participant signed it.")
ASSURANCE_REFERENCE = Input("reference", "Document reference", "text", max_length=120,
                            required="Give the assurance's document reference.",
                            help="retransfer-assurance: the reference of the signed assurance.")

RESUBMIT_REPLY = Input("reply", "Your reply to the reviewer", "text", max_length=2000,
                       help="resubmit: what the purchaser changed or answers to the return; kept on the case.")


BATCH_MEMO = Input("memo", "Batch memo", "text", required="Write the memo: the reasoning that holds for the whole batch.",
                   help="The reasons that hold for every case of the batch; reviewers see it on each case.")

CONCURRENCE_REASON = Input("reason", "Conditions or reason", "text",
                           required="Say the conditions, or why the office does not concur.",
                           help="concurrence: required unless the office simply concurs.")
WITHDRAWAL_NOTE = Input("reason", "Why it is withdrawn", "text", max_length=2000,
                        required="Say why the office withdraws its non-concurrence: the trail keeps it.",
                        help="withdraw-non-concurrence: what changed.")


def missing(inputs_declared, values):
    """{field: [message]} for each required input without a value."""
    return {spec.name: [spec.required] for spec in inputs_declared
            if spec.required and values.get(spec.name) in (None, "")}
