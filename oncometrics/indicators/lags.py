"""Publication lag of patent sources: which priority years are still incomplete.

An application is published 18 months after its earliest priority (PCT
Art. 21, EPC Art. 93, 35 USC 122(b)); a source that holds only grants (the
USPTO grant files) shows an invention only once it is granted, about three
years after its priority (USPTO total pendency ≈ 25 months from filing,
filing ≈ 12 months after the priority).  So the priority years that end
less than the lag before a source's last publication date are undercounted:
the OECD Patent Statistics Manual (2009) warns about this truncation of the
most recent years, and the EPO/OECD studies stop their series early.  Nothing here is executed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ibis.expr.types as ir

#: Months from priority to the publication of the application.
APPLICATION_LAG_MONTHS = 18
#: Months from priority to grant, for grant-only sources.
GRANT_LAG_MONTHS = 36


def publication_lags(patents: ir.Table) -> ir.Table:
    """One row per source: its lag and its first incomplete priority year.

    ``(source, documents, last_publication, grant_only, lag_months,
    first_truncated_year)``.  A source is grant-only when none of its
    documents has an application kind (``A…``); ``first_truncated_year`` is
    the year of (last publication − lag): that year and later ones are
    incomplete.
    """
    p = patents.filter(patents.publication_date.notnull())
    app_kind = p.kind.fill_null("").upper().startswith("A")
    t = p.group_by("source").aggregate(
        documents=p.patent_id.nunique(),
        last_publication=p.publication_date.max(),
        applications=app_kind.cast("int64").sum(),
    )
    grant_only = t.applications == 0
    lag = grant_only.ifelse(GRANT_LAG_MONTHS, APPLICATION_LAG_MONTHS)
    year = t.last_publication.substr(0, 4).cast("int64")
    month = t.last_publication.substr(5, 2).cast("int64")
    months = year * 12 + (month - 1) - lag
    first = (months - months % 12) / 12  # floor: months is positive
    return t.select(
        "source",
        "documents",
        "last_publication",
        grant_only=grant_only,
        lag_months=lag.cast("int32"),
        first_truncated_year=first.cast("int32"),
    )
