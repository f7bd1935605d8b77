"""What every puller of a partner link shares: a thread of its own, an HTTPS
client, pulling only while the link runs, and retrying with back-off."""

from __future__ import annotations

import logging
import ssl
import threading

import httpx

from alliance.store.schema import LinkRow

from .partners import PartnerDesk

log = logging.getLogger(__name__)


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
