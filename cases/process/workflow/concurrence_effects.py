"""What an office's answer on a batch writes. Runs inside `perform_batch`'s transaction with the batch
row locked, so two members of one office answering at once are serialised: the second is refused."""
from ...models import Answer, CaseConcurrence, CaseEvent, Verb
from ...review.concurrence import office_id_of, standing
from .conditions import shown_day
from .errors import GuardFailed
from .inputs import CONCURRENCE_REASON, WITHDRAWAL_NOTE


def request_of(batch, ctx):
    """The actor's office's request on the batch, or None (read with the batch's standing, once)."""
    office = office_id_of(ctx.actor)
    return next((request for request in standing(batch).requests if office and request.office_id == office), None)


def not_asked(batch, ctx):
    if office_id_of(ctx.actor) is None:
        return "Your profile names no office: only an office's staff answer for it."
    if request_of(batch, ctx) is None:
        return f"{ctx.actor.profile.office.name} is not asked to concur on this batch."
    return None


def awaits_my_office(batch, ctx):
    if refusal := not_asked(batch, ctx):
        return refusal
    request = request_of(batch, ctx)
    if request.answer:
        return (f"{request.office.name} already answered on {shown_day(request.answered_at)} "
                f"({request.answered_by.username}): {Answer(request.answer).label.lower()}.")
    return None


def objection_to_withdraw(batch, ctx):
    if refusal := not_asked(batch, ctx):
        return refusal
    request = request_of(batch, ctx)
    if request.answer != Answer.NON_CONCUR and all(carve.answer != Answer.NON_CONCUR for carve in request.carve_outs.all()):
        return f"{request.office.name} has no non-concurrence on this batch to withdraw."
    return None


def reason_errors(answer, reason, prefix=""):
    if answer != Answer.CONCUR and not reason:
        return {prefix + "reason": [CONCURRENCE_REASON.required]}
    if len(reason) > CONCURRENCE_REASON.max_length:
        return {prefix + "reason": [CONCURRENCE_REASON.too_long]}
    return {}


def answer(batch, ctx):
    """The office answers for every case of the batch it must concur on (`answer`, `reason`), and
    differently on the cases of `carve_outs` ([{"case": number, "answer", "reason"}]); all or nothing.
    Each case's trail records the answer that holds for it."""
    request, now = request_of(batch, ctx), standing(batch)
    given, reason = ctx.inputs.get("answer") or "", (ctx.inputs.get("reason") or "").strip()
    errors = {}
    if given not in Answer.values:
        errors["answer"] = [f"Choose one of {', '.join(Answer.values)}."]
    else:
        errors.update(reason_errors(given, reason))
    concerned = now.concerning(request)
    numbers = dict(batch.cases.filter(pk__in=concerned).values_list("case_number", "pk"))
    carves, seen = [], set()
    for index, entry in enumerate(ctx.inputs.get("carve_outs") or []):
        prefix, number = f"carve_outs.{index}.", entry.get("case", "")
        carve_answer, carve_reason = entry.get("answer") or "", (entry.get("reason") or "").strip()
        if number not in numbers:
            errors[prefix + "case"] = [f"{request.office.name} is not asked about case {number} in this batch."]
        elif number in seen:
            errors[prefix + "case"] = [f"Case {number} is carved out twice."]
        seen.add(number)
        if carve_answer not in Answer.values:
            errors[prefix + "answer"] = [f"Choose one of {', '.join(Answer.values)}."]
        elif carve_answer == given:
            errors[prefix + "answer"] = ["That is the office's answer for the batch: a carve-out differs from it."]
        else:
            errors.update(reason_errors(carve_answer, carve_reason, prefix))
        if not errors:
            carves.append(CaseConcurrence(request=request, case_id=numbers[number], answer=carve_answer,
                                          reason=carve_reason, answered_by=ctx.actor, answered_at=ctx.at))
    if errors:
        raise GuardFailed(f"{request.office.name}'s answer cannot be recorded as sent.", errors=errors)
    request.answer, request.reason, request.answered_by, request.answered_at = given, reason, ctx.actor, ctx.at
    request.save(update_fields=["answer", "reason", "answered_by", "answered_at"])
    CaseConcurrence.objects.bulk_create(carves)
    carved = {carve.case_id: carve for carve in carves}
    record(batch, ctx, Verb.CONCURRENCE_ANSWERED, {
        case_id: {"office": request.office_id, "answer": carved[case_id].answer if case_id in carved else given,
                  "reason": carved[case_id].reason if case_id in carved else reason, "carved_out": case_id in carved}
        for case_id in concerned})


def withdraw(batch, ctx):
    """The office withdraws its non-concurrence: on one case (`case`), or its answer for the batch; the
    case (or every case the batch answer covers) is then concurred on. `reason` says why."""
    request, now = request_of(batch, ctx), standing(batch)
    number, note = (ctx.inputs.get("case") or "").strip(), (ctx.inputs.get("reason") or "").strip()
    if not note:
        raise GuardFailed(WITHDRAWAL_NOTE.required, errors={"reason": [WITHDRAWAL_NOTE.required]})
    concerned = now.concerning(request)
    carves = {carve.case_id: carve for carve in request.carve_outs.all()}
    if number:
        case_id = batch.cases.filter(case_number=number, pk__in=concerned).values_list("pk", flat=True).first()
        objecting = case_id is not None and now.cell(request, case_id).answer == Answer.NON_CONCUR
        if not objecting:
            problem = f"{request.office.name} has no non-concurrence on case {number} in this batch."
            raise GuardFailed(problem, errors={"case": [problem]})
        carve = carves.get(case_id) or CaseConcurrence(request=request, case_id=case_id)
        carve.answer, carve.reason, carve.answered_by, carve.answered_at = Answer.CONCUR, note, ctx.actor, ctx.at
        carve.save()
        withdrawn = {case_id}
    else:
        if request.answer != Answer.NON_CONCUR:
            problem = "The office's answer for the batch is not a non-concurrence: name the case it objects to."
            raise GuardFailed(problem, errors={"case": [problem]})
        request.answer, request.reason, request.answered_by, request.answered_at = Answer.CONCUR, note, ctx.actor, ctx.at
        request.save(update_fields=["answer", "reason", "answered_by", "answered_at"])
        withdrawn = concerned - set(carves)
    record(batch, ctx, Verb.NON_CONCURRENCE_WITHDRAWN,
           {case_id: {"office": request.office_id, "reason": note} for case_id in withdrawn})


def record(batch, ctx, verb, payloads):
    """One event per case, on the trail of each case concerned, with the batch named; the batch's
    standing is read again when next asked."""
    batch._concurrence = None
    stages = dict(batch.cases.filter(pk__in=list(payloads)).values_list("pk", "stage"))
    CaseEvent.objects.bulk_create(
        CaseEvent(case_id=case_id, actor=ctx.actor, verb=verb, from_stage=stages[case_id], to_stage=stages[case_id],
                  payload={"batch": batch.pk, **payload}, at=ctx.at)
        for case_id, payload in sorted(payloads.items()))
