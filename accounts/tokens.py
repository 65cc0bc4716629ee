"""The token in a sign-up confirmation link."""

from django.contrib.auth.tokens import PasswordResetTokenGenerator


class SignUpTokenGenerator(PasswordResetTokenGenerator):
    """Like a password-reset token, with its own salt (one kind of link never works as the other),
    and dead once used: confirming activates the account and signs it in, which changes both
    `is_active` and `last_login`. Valid for settings.PASSWORD_RESET_TIMEOUT (3 days)."""

    key_salt = "accounts.tokens.SignUpTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"


signup_token = SignUpTokenGenerator()
