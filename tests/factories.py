import factory
from django.contrib.auth import get_user_model

from cases.models import Profile, Role


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("test-pass-2026")


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    user = factory.SubFactory(UserFactory)
    role = Role.REVIEWER
    office_id = "dsca"


class LiaisonFactory(ProfileFactory):
    role = Role.LIAISON
    office_id = None
    country_id = "PL"


class NspaFactory(ProfileFactory):
    role = Role.NSPA
    office_id = None
