"""The liaison's inbox: what waits on the purchaser first, as the rule book says, and only their country's."""
from datetime import timedelta

from django.utils import timezone

from cases.process.stages import Stage

from .builders import Builder, purchaser_of


def test_the_inbox_lists_what_waits_on_the_purchaser(client, reviewer, django_assert_max_num_queries):
    returned = Builder(reviewer, country="PL").build(Stage.LOR_RETURNED)
    recent = Builder(reviewer, country="PL")
    recent.at = timezone.now() - timedelta(days=20)  # its offer still open today
    offered = recent.build(Stage.LOA_OFFERED)
    incomplete = Builder(reviewer, country="PL").build(Stage.LOR_RECEIVED)
    in_review = Builder(reviewer, country="PL").build(Stage.IN_REVIEW)
    german = Builder(reviewer, country="DE").build(Stage.LOR_RETURNED)
    client.force_login(purchaser_of("PL"))
    assert client.get("/").url == "/inbox/"
    with django_assert_max_num_queries(12):
        page = client.get("/inbox/").content.decode()
    waiting = page[page.index("Needs your action"):page.index("Latest cases")]
    for case in (returned, offered, incomplete):
        assert f'href="/cases/{case.case_number}/"' in waiting, case.stage
    assert in_review.case_number not in waiting and german.case_number not in page
    assert "Returned by the reviewer" in waiting and "Say where it is based." in waiting
    days = (offered.loa.offer_expires_on - timezone.localdate()).days
    assert f"{days} day" in waiting
    assert "The LOR still lacks" in waiting


def test_the_inbox_is_the_liaisons_alone(client, reviewer, nspa_user):
    for user in (reviewer, nspa_user):
        client.force_login(user)
        assert client.get("/inbox/").status_code == 403
