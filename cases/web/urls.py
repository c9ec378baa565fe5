from django.urls import path

from . import case_pages, home, metrics, nspa, portal, reviewer

urlpatterns = [
    path("", home.home, name="home"),
    path("batches/<int:pk>/", reviewer.batch_page, name="batch"),
    path("batches/<int:pk>/start/", reviewer.batch_start, name="batch-start"),
    path("batches/<int:pk>/decide/", reviewer.batch_decide, name="batch-decide"),
    path("cases/", case_pages.case_list, name="case-list"),
    path("cases/export.csv", case_pages.case_export, name="case-export"),
    path("cases/new/", portal.submit_lor_page, name="lor-new"),
    path("cases/<int:pk>/", case_pages.case_page, name="case"),
    path("cases/<int:pk>/steps/<slug:step>/", case_pages.case_step, name="case-step"),
    path("cases/<int:pk>/withdraw/", case_pages.case_withdraw, name="case-withdraw"),
    path("cases/<int:pk>/notes/", case_pages.case_note, name="case-note"),
    path("cases/<int:pk>/lor/", case_pages.case_amend, name="case-amend"),
    path("nspa/", nspa.joint_requests, name="nspa"),
    path("metrics/", metrics.metrics_page, name="metrics"),
    path("metrics/<slug:name>.csv", metrics.metrics_csv, name="metrics-csv"),
]
