"""The REST API under /api/v1/: what allied liaisons, NSPA systems and reviewers' tools call."""
