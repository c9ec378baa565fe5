from django.urls import path, register_converter
from django.views.decorators.http import require_http_methods, require_safe

from ..models.case import CASE_NUMBER
from . import case_pages, concurrence, home, inbox, joint_form, metrics, notices, nspa, portal, reviewer, saved_views


class CaseNumber:
    """A case is addressed by its case number, never its database id (which would count every filing)."""

    regex = CASE_NUMBER

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(CaseNumber, "case")

# Pages that only show answer GET and HEAD; the forms' targets take POST only (in their views); anything
# else is 405.
urlpatterns = [
    path("", require_safe(home.home), name="home"),
    path("batches/<int:pk>/", require_safe(reviewer.batch_page), name="batch"),
    path("batches/<int:pk>/start/", reviewer.batch_start, name="batch-start"),
    path("batches/<int:pk>/assign/", reviewer.batch_assign, name="batch-assign"),
    path("batches/<int:pk>/memo/", reviewer.batch_memo, name="batch-memo"),
    path("batches/<int:pk>/decide/", reviewer.batch_decide, name="batch-decide"),
    path("batches/<int:pk>/concurrence/", require_safe(reviewer.concurrence_grid), name="batch-concurrence"),
    path("batches/<int:pk>/concur/", reviewer.batch_concur, name="batch-concur"),
    path("batches/<int:pk>/withdraw-non-concurrence/", reviewer.batch_withdraw, name="batch-withdraw"),
    path("awaiting/", require_safe(concurrence.awaiting_my_office), name="awaiting"),
    path("views/", saved_views.save_view, name="view-save"),
    path("views/<int:pk>/delete/", saved_views.delete_view, name="view-delete"),
    path("cases/", require_safe(case_pages.case_list), name="case-list"),
    path("cases/export.csv", require_safe(case_pages.case_export), name="case-export"),
    path("cases/new/", require_http_methods(["GET", "HEAD", "POST"])(portal.submit_lor_page), name="lor-new"),
    path("cases/<case:number>/", require_safe(case_pages.case_page), name="case"),
    path("cases/<case:number>/steps/<slug:step>/", case_pages.case_step, name="case-step"),
    path("cases/<case:number>/withdraw/", case_pages.case_withdraw, name="case-withdraw"),
    path("cases/<case:number>/notes/", case_pages.case_note, name="case-note"),
    path("cases/<case:number>/lor/", case_pages.case_amend, name="case-amend"),
    path("inbox/", require_safe(inbox.inbox), name="inbox"),
    path("nspa/", require_safe(nspa.joint_requests), name="nspa"),
    path("nspa/new/", joint_form.file_joint_request_page, name="joint-request-new"),
    path("nspa/<uuid:reference>/", require_safe(nspa.joint_request), name="joint-request"),
    path("notifications/", require_safe(notices.notice_list), name="notifications"),
    path("notifications/bell/", require_safe(notices.bell), name="notice-bell"),
    path("notifications/read/", notices.notices_read, name="notices-read"),
    path("notifications/<int:pk>/open/", notices.notice_open, name="notice-open"),
    path("notifications/preferences/", require_http_methods(["GET", "HEAD", "POST"])(notices.preferences),
         name="notice-preferences"),
    path("notifications/unsubscribe/<str:token>/", require_http_methods(["GET", "HEAD", "POST"])(notices.unsubscribe),
         name="unsubscribe"),
    path("metrics/", require_safe(metrics.metrics_page), name="metrics"),
    path("metrics/<slug:name>.csv", require_safe(metrics.metrics_csv), name="metrics-csv"),
]
