"""Request bodies for the API tests: the documented examples, so the tests prove the examples work."""
import copy

from cases.api.docs import JOINT_REQUEST_EXAMPLE, LOR_EXAMPLE

LOR = LOR_EXAMPLE.value
JOINT = JOINT_REQUEST_EXAMPLE.value


def lor(**changes):
    body = copy.deepcopy(LOR)
    body.update(changes)
    return body


def joint(**changes):
    body = copy.deepcopy(JOINT)
    body.update(changes)
    return body


def with_item(body, **changes):
    body = copy.deepcopy(body)
    body["line_items"][0].update(changes)
    return body
