"""The production settings plus one bare endpoint, for the load benchmark's baseline only."""
from fms_review.settings import *  # noqa: F401,F403

ROOT_URLCONF = "tests.bench.urls"
