"""Request bodies for the API tests, as the issue's contract shows them."""
import copy

LOR = {
    "country": "PL", "implementing_agency": "B", "request_type": "LOA",
    "title": "Patriot PAC-3 MSE replenishment", "justification": "Replace interceptors.",
    "funding_source": "national_funds", "desired_delivery_date": "2028-03-31",
    "line_items": [{"description": "PAC-3 MSE missile", "capability": "air-missile-defense", "quantity": 48,
                    "unit_cost_usd": "4200000.00", "is_mde": True}],
}

JOINT = {
    "title": "Stinger replenishment, Baltic coalition", "justification": "Coalition SHORAD.",
    "model": "agent_sales", "lead_nation": None, "implementing_agency": "B", "request_type": "LOA",
    "funding_source": "national_funds", "desired_delivery_date": "2028-06-30",
    "participants": [
        {"country": "LT", "line_items": [{"description": "FIM-92K Stinger", "capability": "short-range-air-defense",
                                          "quantity": 60, "unit_cost_usd": "480000.00", "is_mde": True}]},
        {"country": "LV", "line_items": [{"description": "FIM-92K Stinger", "capability": "short-range-air-defense",
                                          "quantity": 40, "unit_cost_usd": "480000.00", "is_mde": True}]},
    ],
}


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
