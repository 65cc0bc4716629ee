"""The one shape of a refused write, shared by every app's services.

A service function that the rules do not let go ahead raises a ServiceError (each app names
its own: CommentError, RatingError, ReviewError) whose message is a sentence for the person
trying it. Views and admin pages catch ServiceError and show `str(error)` as it is: on the
form as a non-field error, or as a message. A ValueError is different: it means the calling
code passed the wrong arguments, and is never shown to anyone.
"""


class ServiceError(Exception):
    """A write the rules do not allow; the message is shown to the person as it is."""
