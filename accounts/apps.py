from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "accounts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import on_sign_in

        # Like Django's own update_last_login: the session gets its lifetime as it starts.
        user_logged_in.connect(on_sign_in, dispatch_uid="accounts.session_lifetime")
