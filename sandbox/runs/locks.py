"""A lock per owner (an account or a browser session), taken inside a transaction before a
quota is counted, so that parallel requests are counted one after another."""

from django.db import IntegrityError, transaction

from sandbox.accounts.visitors import Visitor
from sandbox.runs.models import OwnerLock


def owner_lock(*, visitor: Visitor) -> None:
    """Block until this transaction holds the owner's lock (held until it commits). On
    PostgreSQL a row lock; SQLite's IMMEDIATE transactions already serialise writers."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("owner_lock must be taken inside transaction.atomic()")
    # Visitors without an account share one lock: their quota is also counted all together.
    key = f"user:{visitor.user.pk}" if visitor.user else "anonymous"
    try:
        with transaction.atomic():
            OwnerLock.objects.get_or_create(key=key)
    except IntegrityError:
        pass  # made by a parallel request meanwhile; lock it below
    OwnerLock.objects.select_for_update().get(key=key)
