"""Demo ratings: the seed page's "Based on 87 ratings" on the Dystonia guide.

Loaded by `python manage.py load_demo` after the conditions demo. Idempotent: a demo
reader who has already rated is left alone, so a second run changes nothing.
"""

from conditions.models import Page

from .models import Rating
from .services import rating_feedback_submit, rating_submit

# 87 ratings averaging 4.3, as readers of the seed page left them.
DISTRIBUTION = {5: 52, 4: 19, 3: 7, 2: 4, 1: 5}
FEEDBACK = {"reason": "out_of_date", "details": "The page says it was last reviewed in 2013."}


def load(*, stdout) -> None:
    page = Page.objects.filter(parent=None, slug="dystonia").first()
    if page is None:
        return
    already = set(
        Rating.objects.filter(page=page, session_hash__startswith="demo-").values_list("session_hash", flat=True)
    )
    number = 0
    added = 0
    for score, how_many in DISTRIBUTION.items():
        for _ in range(how_many):
            number += 1
            # Not a real session's hash, so no reader can ever match a demo rating.
            session_hash = f"demo-{number:03d}"
            if session_hash in already:
                continue
            rating = rating_submit(page=page, session_hash=session_hash, score=score)
            if score == 1 and number == sum(DISTRIBUTION.values()):
                rating_feedback_submit(rating=rating, **FEEDBACK)
            added += 1
    if added:
        stdout.write(f"Added {added} demo ratings to {page}.")
