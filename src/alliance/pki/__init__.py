"""The Alliance PKI: each nation's two CAs, the certificates they issue, and TLS.

Used by federation (node certificates on the mutual-TLS federation port), the
TAK server (the node certificate and users' client certificates) and the
node's HTTPS API. It depends on :mod:`alliance.core` only.

* :mod:`.certs` — building certificates and reading what one is;
* :mod:`.home` — the files a node keeps under ``<home>/pki/`` (:class:`Pki`);
* :mod:`.tls` — TLS contexts, and which partner a federation peer is.

Import from here; the modules are the package's own seams.
"""

from .certs import (
    NODE_POLICY_OID,
    USER_POLICY_OID,
    USERS_CA_OU,
    alpha2,
    belongs_to,
    check_node_id,
    client_user_id,
    create_ca,
    extended_key_usages,
    fingerprint,
    is_ca,
    issue_client_cert,
    issue_node_cert,
    issued_by,
    name_attr,
    pem_text,
    valid_now,
)
from .home import CA_CERT, USERS_CA_CERT, Pki, PkiError, write_client_files
from .tls import client_context, identify_peer, server_context, tak_server_context

__all__ = [
    "CA_CERT",
    "NODE_POLICY_OID",
    "USERS_CA_CERT",
    "USERS_CA_OU",
    "USER_POLICY_OID",
    "Pki",
    "PkiError",
    "alpha2",
    "belongs_to",
    "check_node_id",
    "client_context",
    "client_user_id",
    "create_ca",
    "extended_key_usages",
    "fingerprint",
    "identify_peer",
    "is_ca",
    "issue_client_cert",
    "issue_node_cert",
    "issued_by",
    "name_attr",
    "pem_text",
    "server_context",
    "tak_server_context",
    "valid_now",
    "write_client_files",
]
