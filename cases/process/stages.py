"""The stages of an FMS case and the actions taken on it. Pure vocabulary: what each action may do, to
which stage, by whom and when, is the rule book's (cases.process.workflow)."""
from django.db import models


class Stage(models.TextChoices):
    LOR_RECEIVED = "lor_received", "LOR received"
    LOR_RETURNED = "lor_returned", "LOR returned for information"
    LOR_ACTIONABLE = "lor_actionable", "LOR actionable"
    IN_REVIEW = "in_review", "In combined review"
    DENIED = "denied", "Denied"
    LOA_DEVELOPMENT = "loa_development", "LOA in development"
    CN_REVIEW = "cn_review", "Congressional review"
    PA_PROVIDED = "pa_provided", "P&A provided"
    LOA_OFFERED = "loa_offered", "LOA offered"
    LOA_ACCEPTED = "loa_accepted", "LOA accepted"
    LOA_EXPIRED = "loa_expired", "LOA offer expired"
    IMPLEMENTED = "implemented", "Implemented"
    CLOSED = "closed", "Closed"
    WITHDRAWN = "withdrawn", "Withdrawn"


FINAL_STAGES = frozenset({Stage.DENIED, Stage.CLOSED, Stage.WITHDRAWN})


class Action(models.TextChoices):
    """Everything a person or the clock does to a case: the moves between stages, and the milestones
    on the way that leave the stage as it is. Each value is also the audit verb it writes (Verb)."""

    # Moves
    MARK_ACTIONABLE = "mark_actionable", "Mark LOR actionable"
    RETURN = "return", "Return for information"
    RESUBMIT = "resubmit", "Resubmit LOR"
    START_REVIEW = "start_review", "Start combined review"
    APPROVE = "approve", "Approve"
    DENY = "deny", "Deny"
    SUBMIT_NOTIFICATION = "submit_notification", "Submit formal congressional notification"
    OFFER = "offer", "Offer the LOA"
    PROVIDE_PA = "provide_pa", "Provide price and availability"
    REQUEST_LOA = "request_loa", "Ask for an LOA"
    ACCEPT = "accept", "Record acceptance"
    RECORD_ASSURANCE = "assurance_recorded", "Record the retransfer assurance"
    EXPIRE = "expire", "Expire the offer"
    IMPLEMENT = "implement", "Implement"
    CLOSE = "close", "Close"
    WITHDRAW = "withdraw", "Withdraw the request"
    # Milestones
    CHECK_LOR = "lor_checked", "Record the LOR checks"
    SUPPLY_LOR = "lor_amended", "Supply what the LOR lacks"
    APPROVE_TSFD = "tsfd_approved", "Record TSFD approval"
    RECORD_IA_APPROVAL = "ia_approved", "Record IA approval"
    CORRECT_IA_APPROVAL = "ia_approval_corrected", "Correct the IA approval date"
    START_INFORMAL_REVIEW = "informal_review_started", "Start informal review"
    RECORD_WAIVER = "emergency_waiver", "Record emergency waiver"
    CLEAR_NOTIFICATION = "notification_cleared", "Record the end of congressional review"
    MARK_STALLED = "stalled", "Mark stalled"


class BatchAction(models.TextChoices):
    """What a reviewer or the system does to a combined-review batch."""

    START = "start", "Start review"
    CLOSE_WINDOW = "close_window", "Close the review window"
    ASSIGN = "assign", "Assign or hand over"
    WRITE_MEMO = "memo", "Write the batch memo"
    CONCUR = "concurrence", "Answer for your office"
    WITHDRAW_NON_CONCURRENCE = "withdraw_non_concurrence", "Withdraw a non-concurrence"
    DECIDE = "decide", "Decide cases"
    SETTLE = "settle", "Mark decided"
