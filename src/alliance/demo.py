"""The demo: a JPN node and a USA node, seeded, with users and a fictional exercise.

All demo content is fictional (Exercise SAKURA SHIELD 26) except the command
structures, which come from the public-facts seed.
"""

from __future__ import annotations

import json
import secrets
import shutil
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from alliance.access import UserIn
from alliance.acm import (
    MeetingIn,
    Priority,
    RequestIn,
    RequestKind,
    WorkingGroupIn,
)
from alliance.acm.models import ActionItemIn, Member
from alliance.config import Settings, load_settings
from alliance.core.authority import Actor, Role
from alliance.core.keys import NodeKey
from alliance.core.models import MarkingIn
from alliance.federation import export_bundle
from alliance.node import Node
from alliance.org import load_document, packaged_seed, parse_document
from alliance.pki import Pki, write_client_files


@dataclass
class DemoUser:
    name: str
    hq_id: str
    role: Role
    token: str = ""


@dataclass
class DemoNode:
    nation: str
    port: int
    home: Path
    users: list[DemoUser] = field(default_factory=list)
    tak_ports: tuple[int, int] = (0, 0)
    tak_files: list[Path] = field(default_factory=list)
    tak_password: str = ""


TAK_BASE = 8087


def tak_ports(nations: list[str], base: int) -> dict[str, tuple[int, int]]:
    """TCP and TLS TAK ports per nation: the first on ``base``/``base + 2``
    (8087/8089 by convention), the next 100 higher, and so on."""
    return {n: (base + 100 * i, base + 100 * i + 2) for i, n in enumerate(nations)}


PEOPLE: dict[str, list[DemoUser]] = {
    "JPN": [
        DemoUser(
            "Sato Kenji (JJOC commander) / 佐藤 健二（統合作戦司令官）", "jpn-jjoc", Role.COMMANDER
        ),
        DemoUser(
            "Tanaka Yui (JJOC J3 staff) / 田中 結衣（J3幕僚）", "jpn-jjoc", Role.STAFF_OFFICER
        ),
        DemoUser(
            "Suzuki Daichi (ADC commander) / 鈴木 大地（航空総隊司令官）", "jpn-adc", Role.COMMANDER
        ),
        DemoUser("JPN node admin / JPNノード管理者", "jpn-jjoc", Role.ADMIN),
    ],
    "USA": [
        DemoUser("Gen. Avery Morgan (JFHQ commander)", "usa-jfhq", Role.COMMANDER),
        DemoUser("Maj. Riley Chen (JFHQ J3 staff)", "usa-jfhq", Role.STAFF_OFFICER),
        DemoUser("Col. Jordan Blake (5 AF commander)", "usa-5af", Role.COMMANDER),
        DemoUser("USA node admin", "usa-jfhq", Role.ADMIN),
    ],
}


def prepare(
    base: Path, ports: dict[str, int], *, fresh: bool = True, tak_base: int = TAK_BASE
) -> list[DemoNode]:
    """Create both nodes (fresh by default), seed them, add users, federate them
    over mutual TLS (each a national federation CA and user CA of its own,
    bundles exchanged), then add demo content — which therefore reaches the
    partner through its stream."""
    if fresh and base.exists():
        shutil.rmtree(base)
    tak = tak_ports(list(ports), tak_base)
    nodes = []
    for nation, port in ports.items():
        home = base / nation.lower()
        settings = _settings(home, nation, port, tak)
        if not settings.key_file.exists():
            Node.init(settings)
            Pki.init(
                home, nation=nation, node_id=settings.node_id, hosts=["127.0.0.1", "localhost"]
            )
    _federate(base, ports, tak)
    for nation, port in ports.items():
        home = base / nation.lower()
        demo = DemoNode(nation, port, home, tak_ports=tak[nation])
        settings = _settings(home, nation, port, tak)
        with Node(settings) as node:
            doc, digest = parse_document(packaged_seed(), source="seed.yaml")
            load_document(node.ctx, doc, digest)
            for person in PEOPLE[nation]:
                _user, token = node.users.add(
                    UserIn(name=person.name, nation=nation, hq_id=person.hq_id, role=person.role)
                )
                demo.users.append(DemoUser(person.name, person.hq_id, person.role, token))
            _content(node, nation)
            demo.tak_password = secrets.token_urlsafe(9)
            staff = node.users.authenticate(
                next(u.token for u in demo.users if u.role == Role.STAFF_OFFICER)
            )
            # From the user CA (created here for a demo kept from an older version).
            demo.tak_files = write_client_files(
                Pki.load(home).with_users_ca(),
                staff.user_id,
                staff.name,
                home / "tak",
                demo.tak_password,
            )
        nodes.append(demo)
    return nodes


def _federate(base: Path, ports: dict[str, int], tak: dict[str, tuple[int, int]]) -> None:
    """Every node pins every other node's CA and ledger key (N nations, not only two)."""
    bundles: dict[str, bytes] = {}
    for nation, port in ports.items():
        settings = _settings(base / nation.lower(), nation, port, tak)
        key = NodeKey.load(settings.key_file)
        bundle = export_bundle(
            Pki.load(settings.home),
            nation=nation,
            node_id=settings.node_id,
            federation_url=settings.federation_url,
            ledger_public_key_hex=key.public_hex,
        )
        bundles[nation] = json.dumps(bundle).encode()
    for nation, port in ports.items():
        with Node(_settings(base / nation.lower(), nation, port, tak)) as node:
            known = {p.partner for p in node.federation.partners.status()}
            for other, raw in bundles.items():
                if other != nation and other not in known:
                    node.federation.add_partner(raw)


def _settings(home: Path, nation: str, port: int, tak: dict[str, tuple[int, int]]) -> Settings:
    tcp, tls = tak.get(nation, (0, 0))
    partners = [n for n in tak if n != nation]
    return load_settings(
        home,
        nation=nation,
        port=port,
        node_id=f"{nation.lower()}-demo",
        tak_tcp_port=tcp,
        tak_tls_port=tls,
        # Demo choice: reports from TAK clients are released to the partner, so
        # they show up on the other side. A real node's default is national-only.
        tak_release_to=partners,
    )


def _actor(node: Node, nation: str, hq_id: str, role: Role) -> Actor:
    return Actor(f"demo-{nation}-{role.value}", f"demo {nation} {role.value}", nation, hq_id, role)


def _content(node: Node, nation: str) -> None:
    """A few live items so the desks are not empty."""
    both = MarkingIn(releasable_to=["JPN", "USA"])
    now = node.clock()
    if nation == "JPN":
        staff = _actor(node, "JPN", "jpn-jjoc", Role.STAFF_OFFICER)
        group = node.acm.create_group(
            staff,
            WorkingGroupIn(
                name_en="Bilateral Air and Missile Defense Working Group",
                name_ja="日米防空・ミサイル防衛作業部会",
                purpose="Exercise SAKURA SHIELD 26 (fictional): integrated air defense coordination.",
                members=[
                    Member(nation="JPN", name="Tanaka Yui", role="J3", hq_id="jpn-jjoc"),
                    Member(nation="USA", name="Maj. Riley Chen", role="J3", hq_id="usa-jfhq"),
                ],
                marking=both,
            ),
        )
        node.acm.add_meeting(
            staff,
            group.id,
            MeetingIn(
                starts_at=now + timedelta(days=2),
                location="Yokota / 横田",
                agenda="1. Airspace 2. Patriot coverage 3. MSEL review",
            ),
        )
        node.acm.add_action(
            staff,
            group.id,
            ActionItemIn(
                title="Provide JASDF Patriot coverage overlay (exercise)",
                assignee="JJOC J3",
                due=now + timedelta(days=5),
            ),
        )
        req = node.acm.create_request(
            staff,
            RequestIn(
                kind=RequestKind.ACTIVITY,
                from_hq_id="jpn-jjoc",
                to_hq_ids=["usa-jfhq"],
                subject="SAKURA SHIELD 26: bilateral air defense exercise window (fictional)",
                body="Propose exercise window and airspace reservation for the bilateral "
                "air defense serial. / 日米防空訓練の期間と空域調整を提案する。",
                priority=Priority.PRIORITY,
                due=now + timedelta(days=3),
                marking=both,
            ),
        )
        node.acm.send(staff, req.id)
    else:
        staff = _actor(node, "USA", "usa-jfhq", Role.STAFF_OFFICER)
        req = node.acm.create_request(
            staff,
            RequestIn(
                kind=RequestKind.RFI,
                from_hq_id="usa-jfhq",
                to_hq_ids=["jpn-jjoc"],
                subject="SAKURA SHIELD 26: JSDF liaison cell composition (fictional)",
                body="Request JJOC liaison cell names and arrival DTG for the exercise.",
                priority=Priority.ROUTINE,
                due=now + timedelta(days=4),
                marking=both,
            ),
        )
        node.acm.send(staff, req.id)
