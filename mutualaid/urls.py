from django.contrib import admin
from django.urls import include, path

from associations.views import areas as association_views

urlpatterns = [
    path("", association_views.home, name="home"),
    path("", include("associations.urls")),
    path("", include("guarantees.urls")),
    path("", include("loans.urls")),
    path("funds/", include("funds.urls")),
    path("", include("reports.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
