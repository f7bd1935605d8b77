"""What every puller of a partner link shares: a thread of its own, an HTTPS
client, pulling only while the link runs, and retrying with back-off.

A partner's answer is read with a size limit (:func:`fetch_json`); an answer
that is not a page at all — too large, not JSON, the wrong shape — is refused
whole (:class:`PageRefused`): nothing of it is applied, the pull is retried
with back-off, and the operator sees why in the link's ``last_error`` while
the link keeps running (a broken proxy or a partner's bug, not an item that
failed a check).
"""

from __future__ import annotations

import logging
import ssl
import threading
from typing import Any

import httpx
import orjson

from alliance.core.i18n import Text
from alliance.store.schema import LinkRow

from .partners import PartnerDesk

log = logging.getLogger(__name__)

# A page is at most the server's byte budget plus one item (see server.PAGE_BYTES);
# anything larger is not a page a partner node sends.
MAX_PAGE_BYTES = 64 * 1024 * 1024


class PageRefused(ValueError):
    """A partner's answer that is not a page we take."""

    def __init__(self, code: str, reason: Text) -> None:
        super().__init__(f"{code}: {reason.en}")
        self.code = code
        self.reason = reason


def fetch_json(
    http: httpx.Client,
    url: str,
    *,
    params: dict[str, Any],
    headers: dict[str, str],
    max_bytes: int = MAX_PAGE_BYTES,
) -> Any:
    """GET ``url`` and parse its JSON, reading at most ``max_bytes`` of it."""
    with http.stream("GET", url, params=params, headers=headers) as response:
        response.raise_for_status()
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise _too_large(max_bytes)
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise _too_large(max_bytes)
            chunks.append(chunk)
    try:
        return orjson.loads(b"".join(chunks))
    except orjson.JSONDecodeError:
        raise PageRefused(
            "page_not_json",
            Text(
                "the partner's answer is not JSON",
                "連携先の応答がJSONではありません",
            ),
        ) from None


def _too_large(max_bytes: int) -> PageRefused:
    return PageRefused(
        "page_too_large",
        Text(
            f"the partner's answer is larger than {max_bytes:,} bytes",
            f"連携先の応答が{max_bytes:,}バイトを超えています",
        ),
    )


class LinkWorker:
    """Subclasses say what one round of pulling is (:meth:`pull_round`)."""

    what = "pull"  # for the thread name and the log

    def __init__(
        self, *, partner: str, desk: PartnerDesk, tls: ssl.SSLContext | None, wait: float
    ) -> None:
        self.partner = partner
        self.desk = desk
        self.tls = tls
        self.wait = wait
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # The code of the problem last shown to the operator; "" at start: a note a
        # previous run left is taken away at the first good answer.
        self._noted: str | None = ""

    def note(self, code: str, reason: Text) -> None:
        """Show the operator a problem with the partner's answers (once per code)."""
        if self._noted != code:
            self._noted = code
            self.desk.note_problem(self.partner, code, reason)

    def recovered(self) -> None:
        """The partner's answers are good again: take the problem back off the link."""
        if self._noted is not None:
            code, self._noted = self._noted, None
            self.desk.clear_problem(self.partner, code or None)

    def pull_round(self, http: httpx.Client, link: LinkRow) -> None:
        raise NotImplementedError

    def link_idle(self) -> None:
        """Called while the link is not running (stopped, quarantined, removed)."""

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._run, name=f"{self.what}-{self.partner}", daemon=True
        )
        self._thread.start()

    def signal_stop(self) -> None:
        self._stop.set()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(self.wait + 15)
            self._thread = None

    def _run(self) -> None:
        backoff = 0.2
        verify: ssl.SSLContext | bool = self.tls if self.tls is not None else False
        with httpx.Client(verify=verify, timeout=httpx.Timeout(self.wait + 20, connect=10)) as http:
            while not self._stop.is_set():
                link = self.desk.link(self.partner)
                if link is None or link.state != "running":
                    self.link_idle()
                    self._stop.wait(1.0)
                    continue
                try:
                    self.pull_round(http, link)
                    backoff = 0.2
                except PageRefused as exc:
                    log.warning(
                        "%s from %s: answer refused (%s); retrying in %.1fs",
                        self.what,
                        self.partner,
                        exc,
                        backoff,
                    )
                    self.note(exc.code, exc.reason)
                    self._stop.wait(backoff)
                    backoff = min(backoff * 2, 5.0)
                except (httpx.HTTPError, ssl.SSLError, OSError, ValueError) as exc:
                    log.info(
                        "%s from %s failed (%s); retrying in %.1fs",
                        self.what,
                        self.partner,
                        exc,
                        backoff,
                    )
                    self._stop.wait(backoff)
                    backoff = min(backoff * 2, 5.0)
                except Exception:  # never let the puller die silently
                    log.exception("%s from %s failed", self.what, self.partner)
                    self._stop.wait(backoff)
                    backoff = min(backoff * 2, 5.0)
