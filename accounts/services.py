from django.contrib.auth import get_user_model
from django.db import transaction

from ratings.services import ratings_detach_user

User = get_user_model()


@transaction.atomic
def user_create(*, username: str, email: str, password: str) -> User:
    return User.objects.create_user(username=username, email=email, password=password)


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Delete the account.

    Its comments stay, shown as from "a former member" (author set to NULL), and its
    ratings stay as anonymous ones so that no page's rating figures change.
    """
    ratings_detach_user(user=user)
    user.delete()
