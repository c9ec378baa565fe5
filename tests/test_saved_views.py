"""Saved views of the queue: named filters and sort, a reviewer's own or shared with every reviewer."""
from cases.models import SavedView
from cases.review.batching import build_batches

from .builders import LARGE_ITEMS, purchaser_of, submit
from .factories import ProfileFactory


def test_a_reviewer_saves_applies_and_deletes_a_view(client, reviewer):
    submit(purchaser_of("PL"), country="PL")
    submit(purchaser_of("BR"), country="BR", line_items=LARGE_ITEMS)
    build_batches()
    client.force_login(reviewer)
    saved = client.post("/views/", {"name": "Air defence, open", "query": "status=open&capability=air-missile-defense&page=3"})
    assert saved.status_code == 302 and saved.url == "/?status=open&capability=air-missile-defense"
    view = SavedView.objects.get()
    assert (view.owner, view.shared, view.query) == (reviewer, False, "status=open&capability=air-missile-defense")
    page = client.get("/").content.decode()
    assert '<a href="/?status=open&amp;capability=air-missile-defense">Air defence, open</a>' in page
    assert [batch.capability_id for batch in client.get(f"/?{view.query}").context["batches"]] == ["air-missile-defense"]
    assert client.post(f"/views/{view.pk}/delete/").status_code == 302 and not SavedView.objects.exists()


def test_a_shared_view_is_every_reviewers_but_only_its_owners_to_delete(client, reviewer):
    colleague = ProfileFactory(user__username="amy").user
    mine = SavedView.objects.create(owner=reviewer, name="Mine", query="status=open")
    shared = SavedView.objects.create(owner=reviewer, name="Team", query="stalled=on", shared=True)
    client.force_login(colleague)
    page = client.get("/").content.decode()
    assert ">Team</a>" in page and "(rev)" in page and ">Mine</a>" not in page
    assert client.post(f"/views/{shared.pk}/delete/").status_code == 404
    assert client.post(f"/views/{mine.pk}/delete/").status_code == 404
    assert SavedView.objects.count() == 2


def test_a_view_holds_only_what_the_queue_accepts(client, reviewer, liaison_pl):
    client.force_login(reviewer)
    for body, message in (({"name": "Bad", "query": "status=nope"}, "These filters are not ones the queue accepts."),
                          ({"name": "  ", "query": "status=open"}, "This field is required.")):
        refused = client.post("/views/", body)
        assert refused.status_code == 400 and message in refused.content.decode()
    assert not SavedView.objects.exists()
    client.post("/views/", {"name": "Open", "query": "status=open"})
    again = client.post("/views/", {"name": "Open", "query": "status=decided"})
    assert again.status_code == 409 and "You already have a view called Open." in again.content.decode()
    assert SavedView.objects.get().query == "status=open"
    client.force_login(liaison_pl)
    assert client.post("/views/", {"name": "Mine", "query": ""}).status_code == 403
