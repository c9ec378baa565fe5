"""Every write a user can make, one function per use case. Views, serializers, admin actions and
tasks call these; they call cases.process.workflow for every stage change."""
