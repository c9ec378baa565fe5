"""Notifications: the outbox written with each change (outbox), its delivery by e-mail and signed
webhooks (delivery, emails, webhooks), daily digests (digests) and the clock's reminders (reminders)."""
