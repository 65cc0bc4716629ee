"""Confirmations shown beside the block that changed, not in the banner at the top of the page.

A view that changes one block of a page (the rating block, the comments) says so with
`confirm(request, "ratings", "Thank you ...")` and redirects to `fragment("ratings")`: the
reader lands on the confirmation, which takes focus (`autofocus`, so without JavaScript too)
and sits beside the block. templates/base.html leaves these messages out of its banner; the
block's template tag shows them with templates/components/confirmation.html.

They are Django messages, so they last one request and travel in the messages cookie: a
reader with a message waiting is never a shared reader (conditions.page_cache), and a
block showing one is rendered for that reader alone, never cached.
"""

from django.contrib import messages

from .middleware import messages_waiting

# In every tag of a message shown beside a block; base.html skips messages carrying it.
BESIDE_BLOCK = "beside-block"
BLOCKS = {"ratings": "rating-confirmation", "comments": "comments-confirmation"}


def confirm(request, block: str, text: str) -> None:
    """Say `text` beside `block` ("ratings" or "comments") on the next page this reader sees."""
    if block not in BLOCKS:
        raise ValueError(f"No confirmation area named {block!r}: choose from {sorted(BLOCKS)}.")
    messages.success(request, text, extra_tags=f"{BESIDE_BLOCK} {block}")


def fragment(block: str) -> str:
    """The address fragment that lands the reader on `block`'s confirmation: "#rating-confirmation"."""
    return "#" + BLOCKS[block]


# The fragments that land a reader on a block, and the block each one names.
BLOCK_FRAGMENTS = {"rating": "ratings", "rating-confirmation": "ratings"} | {
    "comments": "comments",
    "add-comment": "comments",
    "comments-confirmation": "comments",
}


def confirm_where_landing(request, target: str, text: str) -> str:
    """Say `text` where a reader sent to `target` (a path) lands; return the path to send them to.

    A path ending in a block's fragment ("/conditions/dystonia/#comments") gets the
    confirmation beside that block; any other gets the banner at the top of the page.
    """
    path, _, anchor = target.partition("#")
    block = BLOCK_FRAGMENTS.get(anchor)
    if block is None:
        messages.success(request, text)
        return target
    confirm(request, block, text)
    return path + fragment(block)


def confirmations_for(request, block: str) -> list[str]:
    """The texts of the confirmations waiting for `block`, marked as shown."""
    if not messages_waiting(request):
        return []
    return [
        message.message
        for message in messages.get_messages(request)
        if BESIDE_BLOCK in message.extra_tags.split() and block in message.extra_tags.split()
    ]
