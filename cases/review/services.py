"""A reviewer takes a batch and decides its cases together: the batch rules of the rule book."""
from ..process.stages import BatchAction
from ..process.workflow import perform_batch


def start_batch(batch, *, reviewer, at=None):
    """open -> in_review: the reviewer takes the batch and its membership is frozen."""
    return perform_batch(batch, BatchAction.START, actor=reviewer, at=at)


def assign_batch(batch, reviewer_name, *, by, at=None):
    """Give the batch to the reviewer named: an open one by anyone, one under review by its holder."""
    return perform_batch(batch, BatchAction.ASSIGN, actor=by, inputs={"reviewer": reviewer_name}, at=at)


def write_memo(batch, memo, *, by, at=None):
    """The holder's one reasoned note for the whole batch."""
    return perform_batch(batch, BatchAction.WRITE_MEMO, actor=by, inputs={"memo": memo}, at=at)


def decide_batch(batch, decisions, *, reviewer, at=None):
    """Decide every case of `decisions` ([{"case": case number, "outcome": ..., "reason": ...}]) or none; the
    batch row is locked first, so two reviewers deciding at once are serialised (the second is refused)."""
    return perform_batch(batch, BatchAction.DECIDE, actor=reviewer, inputs={"decisions": decisions}, at=at)


def answer_concurrence(batch, *, by, answer, reason="", carve_outs=(), at=None):
    """`by`'s office answers for the batch (concur, conditions, non_concur), with single cases carved out
    ([{"case": number, "answer": ..., "reason": ...}]); once per office: a second answer is refused."""
    return perform_batch(batch, BatchAction.CONCUR, actor=by, at=at,
                         inputs={"answer": answer, "reason": reason, "carve_outs": list(carve_outs)})


def withdraw_non_concurrence(batch, *, by, reason, case="", at=None):
    """`by`'s office withdraws its non-concurrence on `case`, or (no case) its answer for the batch."""
    return perform_batch(batch, BatchAction.WITHDRAW_NON_CONCURRENCE, actor=by, at=at,
                         inputs={"case": case, "reason": reason})
