"""The stages of an FMS case and the actions that move it. Pure vocabulary: the legal moves are in workflow."""
from django.db import models


class Stage(models.TextChoices):
    LOR_RECEIVED = "lor_received", "LOR received"
    LOR_RETURNED = "lor_returned", "LOR returned for information"
    LOR_ACTIONABLE = "lor_actionable", "LOR actionable"
    IN_REVIEW = "in_review", "In combined review"
    DENIED = "denied", "Denied"
    LOA_DEVELOPMENT = "loa_development", "LOA in development"
    CN_REVIEW = "cn_review", "Congressional review"
    LOA_OFFERED = "loa_offered", "LOA offered"
    LOA_ACCEPTED = "loa_accepted", "LOA accepted"
    LOA_EXPIRED = "loa_expired", "LOA offer expired"
    IMPLEMENTED = "implemented", "Implemented"
    CLOSED = "closed", "Closed"
    WITHDRAWN = "withdrawn", "Withdrawn"


FINAL_STAGES = frozenset({Stage.DENIED, Stage.CLOSED, Stage.WITHDRAWN})


class Action(models.TextChoices):
    """What a person or the system does to a case that changes its stage."""

    MARK_ACTIONABLE = "mark_actionable", "Mark LOR actionable"
    RETURN = "return", "Return for information"
    RESUBMIT = "resubmit", "Resubmit LOR"
    START_REVIEW = "start_review", "Start combined review"
    APPROVE = "approve", "Approve"
    DENY = "deny", "Deny"
    SUBMIT_NOTIFICATION = "submit_notification", "Submit formal congressional notification"
    OFFER = "offer", "Offer LOA"
    ACCEPT = "accept", "Record acceptance"
    EXPIRE = "expire", "Expire offer"
    IMPLEMENT = "implement", "Implement"
    CLOSE = "close", "Close"
    WITHDRAW = "withdraw", "Withdraw"
