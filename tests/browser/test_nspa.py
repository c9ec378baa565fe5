"""NSPA files a joint request for two nations from the browser and lands on its page."""
import pytest
from playwright.sync_api import expect

from cases.models import JointRequest

from .conftest import fill_item

pytestmark = pytest.mark.django_db(transaction=True)


def test_nspa_files_a_joint_request(page, sign_in, screenshot, nspa_user):
    sign_in("nspa-staff")
    page.get_by_role("link", name="File a joint request").first.click()
    page.get_by_label("Title").fill("Coalition Javelin buy")
    page.get_by_label("Funding source").select_option("national_funds")
    page.get_by_label("Desired delivery date").fill("2029-06-30")
    page.get_by_label("Justification").fill("Replace anti-armor stocks transferred to allies.")
    page.get_by_role("combobox", name="Lead nation").select_option("PL")
    for index, (nation, quantity) in enumerate([("PL", "40"), ("DE", "20"), ("PL", "4")]):
        if index > 1:
            page.get_by_role("button", name="Add a line item").click()
        fill_item(page, index, "FGM-148 Javelin" if index < 2 else "Command launch unit", quantity, "100000",
                  nation=nation)
    screenshot("form")
    page.get_by_role("button", name="File the joint request").click()
    expect(page.get_by_text("Joint request filed: 2 nations, one case each.")).to_be_visible()
    joint = JointRequest.objects.get()
    assert page.url.endswith(f"/nspa/{joint.reference}/")
    assert sorted(joint.cases.values_list("country_id", "total_value_usd")) == [("DE", 2_000_000), ("PL", 4_400_000)]
    expect(page.get_by_role("heading", name="Coalition Javelin buy")).to_be_visible()
