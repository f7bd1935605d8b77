"""Federation: sovereign nodes exchange exactly what is released, signed and gap-free.

The interface other packages use is :data:`__all__`: the node builds a
:class:`Federation` (with the feeds its desks federate beside the ledger,
:class:`Feed`), the API and the CLI read its status types. Federation knows no
desk: the object types it ships come from the store's registry, and a desk's
extra feed comes in through the :class:`Feed` port.
"""

from .bundle import BUNDLE_FORMAT, PartnerBundle, export_bundle, read_bundle
from .feeds import CheckedPage, Feed, FeedEnds, PageProblem, page_digest
from .held import HeldOut
from .partners import LinkOut, NewPartner, PartnerDesk, QuarantinedOut
from .service import Federation

__all__ = [
    "BUNDLE_FORMAT",
    "CheckedPage",
    "Federation",
    "Feed",
    "FeedEnds",
    "HeldOut",
    "LinkOut",
    "NewPartner",
    "PageProblem",
    "PartnerBundle",
    "PartnerDesk",
    "QuarantinedOut",
    "export_bundle",
    "page_digest",
    "read_bundle",
]
