"""The demo accounts `seed_demo` creates, one per role (README lists them)."""
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from ..models import Office, Profile, Role

DEMO_PASSWORD = "fms-demo-2026"

# username: (role, country, office, superuser)
DEMO_ACCOUNTS = {
    "admin": (Role.ADMIN, None, "", True),
    "reviewer": (Role.REVIEWER, None, "dsca", False),
    "liaison-pl": (Role.LIAISON, "PL", "", False),
    "liaison-de": (Role.LIAISON, "DE", "", False),
    "nspa": (Role.NSPA, None, "", False),
}


def office_accounts():
    """One reviewer per office that answers for it in concurrence: staff-<office code>."""
    return {f"staff-{code}": (Role.REVIEWER, None, code, False)
            for code in Office.objects.exclude(code="dsca").values_list("code", flat=True)}


def staff_of(users, office):
    """The demo account that answers for `office`."""
    return users["reviewer" if office == "dsca" else f"staff-{office}"]


def ensure_demo_accounts():
    """Create or reset the demo accounts, and one per office; returns them by username. Rerunning
    changes nothing new."""
    User = get_user_model()
    users = {}
    password = make_password(DEMO_PASSWORD)  # one hash (a quarter second) serves every demo account
    for username, (role, country, office, superuser) in {**DEMO_ACCOUNTS, **office_accounts()}.items():
        user, _ = User.objects.get_or_create(username=username)
        user.is_superuser = user.is_staff = superuser
        user.is_active = True
        user.email = ""  # until the history is seeded: what happened in it is not mailed (give_addresses)
        user.password = password
        user.save()
        Profile.objects.update_or_create(user=user, defaults={"role": role, "country_id": country,
                                                              "office_id": office or None})
        users[username] = user
    return users


def give_addresses(users):
    """Each demo account's e-mail address, once the seeded history is written: from now on what happens
    to their cases is mailed (under `make run`, to files in var/mail/)."""
    for username, user in users.items():
        user.email = f"{username}@demo.fms-review.example"
    get_user_model().objects.bulk_update(users.values(), ["email"])
