from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from associations.views import access as access_views
from associations.views import areas as association_views
from mutualaid.health import HealthView

# The admin has no login form of its own: it sends people to the site's login, so the same
# failed-login limit (ACCOUNT_RATE_LIMITS) guards both. Replacing the bound method is the point
# (allauth documents it), hence the ignore.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", association_views.home, name="home"),
    path("", include("associations.urls")),
    path("", include("guarantees.urls")),
    path("", include("loans.urls")),
    path("funds/", include("funds.urls")),
    path("", include("reports.urls")),
    path("", include("jobs.urls")),
    # Public: a member household sets its password with the clerk's activation code.
    path("accounts/activate/", access_views.member_activate, name="member_activate"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("health/", HealthView.as_view(), name="health"),
]
