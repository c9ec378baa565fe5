"""Why the rule book refused an action. Callers turn these into answers: 403, 409, or 400 by field."""


class WorkflowError(Exception):
    """`errors` ({field: [message]}) is set when the actor's input is at fault: a 400 naming the fields."""

    def __init__(self, message, errors=None):
        super().__init__(message)
        self.message = message
        self.errors = errors


class IllegalMove(WorkflowError):
    """The action does not apply to a case (or batch) in its current stage."""


class GuardFailed(WorkflowError):
    """The action applies to the stage, but a condition for it does not hold yet."""


class NotPermitted(WorkflowError):
    """The actor's role may not take this action at all."""
