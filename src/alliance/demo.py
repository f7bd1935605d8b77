"""The demo: a JPN node and a USA node, seeded, with users and a fictional exercise.

All demo content is fictional (the exercise named in :mod:`alliance.core.exercise`)
except the command structures, which come from the public-facts seed.
"""

from __future__ import annotations

import json
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from alliance.access import UserIn
from alliance.config import Settings, load_settings
from alliance.core.authority import Role
from alliance.core.keys import NodeKey
from alliance.desks import all_desks
from alliance.disclosure import DisclosureDesk, GuidanceIn
from alliance.federation import export_bundle
from alliance.node import Node
from alliance.pki import Pki, write_client_files


@dataclass
class DemoUser:
    name: str
    hq_id: str
    role: Role
    token: str = ""
    username: str = ""
    password: str = ""  # fictional, printed by `alliance demo`: for the console's sign-in


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
# Demo usernames: <role>.<hq id>, e.g. staff.jpn-jjoc.
_SHORT_ROLE = {
    Role.COMMANDER: "cdr",
    Role.STAFF_OFFICER: "staff",
    Role.LIAISON_OFFICER: "lno",
    Role.VIEWER: "viewer",
    Role.ADMIN: "admin",
    Role.FOREIGN_DISCLOSURE_OFFICER: "fdo",
}


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
        DemoUser(
            "Ito Haruka (JJOC foreign disclosure officer) / 伊藤 遥（対外開示担当官）",
            "jpn-jjoc",
            Role.FOREIGN_DISCLOSURE_OFFICER,
        ),
        DemoUser(
            "Kato Ren (JJOC liaison officer to USFJ) / 加藤 蓮（在日米軍への連絡官）",
            "jpn-jjoc",
            Role.LIAISON_OFFICER,
        ),
        DemoUser("Mori Aoi (JJOC watch viewer) / 森 葵（当直閲覧者）", "jpn-jjoc", Role.VIEWER),
        DemoUser("JPN node admin / JPNノード管理者", "jpn-jjoc", Role.ADMIN),
    ],
    "USA": [
        DemoUser(
            "Gen. Avery Morgan (USFJ commander) / エイブリー・モーガン大将（在日米軍司令官）",
            "usa-jfhq",
            Role.COMMANDER,
        ),
        DemoUser(
            "Maj. Riley Chen (USFJ J3 staff) / ライリー・チェン少佐（在日米軍J3幕僚）",
            "usa-jfhq",
            Role.STAFF_OFFICER,
        ),
        DemoUser(
            "Col. Jordan Blake (5 AF commander) / ジョーダン・ブレイク大佐（第5空軍司令官）",
            "usa-5af",
            Role.COMMANDER,
        ),
        DemoUser(
            "Ms. Casey Park (USFJ foreign disclosure officer) / ケイシー・パーク（対外開示担当官）",
            "usa-jfhq",
            Role.FOREIGN_DISCLOSURE_OFFICER,
        ),
        DemoUser(
            "Capt. Sam Ortiz (USFJ liaison officer to the JJOC) / サム・オーティズ大尉（統合作戦司令部への連絡官）",
            "usa-jfhq",
            Role.LIAISON_OFFICER,
        ),
        DemoUser(
            "SSgt. Lee Morgan (USFJ watch viewer) / リー・モーガン二等軍曹（当直閲覧者）",
            "usa-jfhq",
            Role.VIEWER,
        ),
        DemoUser("USA node admin / USAノード管理者", "usa-jfhq", Role.ADMIN),
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
            for spec in all_desks():  # reference data first: users name its HQs
                if spec.seed is not None:
                    spec.seed(node.ctx)
            for person in PEOPLE[nation]:
                user, token = node.users.add(
                    UserIn(name=person.name, nation=nation, hq_id=person.hq_id, role=person.role)
                )
                username = f"{_SHORT_ROLE[person.role]}.{person.hq_id}"
                password = f"demo-{secrets.token_hex(4)}"
                node.signin.set_password(user.id, password, username=username)
                demo.users.append(
                    DemoUser(person.name, person.hq_id, person.role, token, username, password)
                )
            _standing_guidance(node, demo, [n for n in ports if n != nation])
            for spec in all_desks():
                if spec.demo is not None:
                    spec.demo(node.desks[spec.name], nation, node.clock())
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


def _standing_guidance(node: Node, demo: DemoNode, partners: list[str]) -> None:
    """The demo's foreign disclosure officer lets staff release every kind of
    object to the partner for the (fictional) exercise; anything for a third
    nation still goes through a proposal."""
    fdo = next(u for u in demo.users if u.role == Role.FOREIGN_DISCLOSURE_OFFICER)
    desk = node.desk("disclosure", DisclosureDesk)
    desk.issue_guidance(
        node.users.authenticate(fdo.token),
        GuidanceIn(
            object_types=node.types.releasable(),
            releasable_to=partners,
            note="Standing guidance for the fictional exercise (demo). / "
            "架空の演習のための開示基準（デモ）。",
        ),
    )


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
