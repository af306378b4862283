"""The stays a page's batched lists are about (batch.Part selects): on the client page every
stay of the client (bind parameter `client_id`), on the stay page the one stay (`stay_id`).
A domain builds its panel's selects once per page kind over `page_stays(page)`."""
from collections.abc import Callable
from functools import cache, partial

from sqlalchemy import Integer, bindparam, select
from sqlalchemy.sql import Select

from .models import Stay


def page_stays(page: str) -> Select:
    """Ids of the stays of `page` ("client" or "stay"), as a subquery for IN."""
    if page == "client":
        return select(Stay.id).where(Stay.client_id == bindparam("client_id", type_=Integer))
    return select(Stay.id).where(Stay.id == bindparam("stay_id", type_=Integer))


def per_page(page_reads: Callable[[str], dict]) -> tuple[Callable[[], dict], Callable[[], dict]]:
    """The client page's and the stay page's Section.reads of a domain's `page_reads(page)`,
    each built once."""
    return cache(partial(page_reads, "client")), cache(partial(page_reads, "stay"))
