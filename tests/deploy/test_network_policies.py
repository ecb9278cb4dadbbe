"""The network policies, evaluated on the rendered pods: only what uses the database (a process
given DATABASE_URL) reaches its port, only what uses the broker reaches the broker's; every pod is
denied the rest but DNS; only web and the syncer's metrics accept connections.

The ports are those of compose's URLs (.env.docker.example), the servers the stack is tested
with. Policies are evaluated as Kubernetes does for pods of one namespace: a pod selected by any
policy of a type is isolated for it, and allowed the union of the rules that select it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from tests.deploy.processes import ROOT, named_port, pod, resources, workloads

DEFAULT_PORTS = {"postgres": 5432, "postgresql": 5432, "mysql": 3306, "amqp": 5672, "redis": 6379}
DNS = {("UDP", 53), ("TCP", 53)}
Port = tuple[str, int]


def compose_port(variable: str) -> int:
    for line in (ROOT / ".env.docker.example").read_text(encoding="utf-8").splitlines():
        if line.startswith(f"{variable}="):
            url = urlsplit(line.partition("=")[2])
            return url.port or DEFAULT_PORTS[url.scheme]
    raise AssertionError(f".env.docker.example has no {variable}")


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    assert "matchExpressions" not in selector, "not evaluated here"
    return selector.get("matchLabels", {}).items() <= labels.items()


def labels_of(workload: dict[str, Any]) -> dict[str, str]:
    return workload["spec"]["template"]["metadata"]["labels"]


def allowed(workload: dict[str, Any], kind: str) -> set[Port] | None:
    """The ports a pod may use in direction ``kind``; None when it is not isolated (any port)."""
    container = pod(workload)["containers"][0]
    policies = [
        p["spec"]
        for p in resources("NetworkPolicy").values()
        if kind in p["spec"]["policyTypes"]
        and selects(p["spec"]["podSelector"], labels_of(workload))
    ]
    if not policies:
        return None
    ports: set[Port] = set()
    for policy in policies:
        for rule in policy.get(kind.lower(), []):
            assert rule.get("ports"), f"a rule that allows every port: {rule}"
            for port in rule["ports"]:
                ports.add((port["protocol"], named_port(container, port["port"])))
    return ports


def uses(workload: dict[str, Any], variable: str) -> bool:
    return any(e["name"] == variable for c in pod(workload)["containers"] for e in c.get("env", []))


def test_who_uses_what() -> None:
    # Deliberate: the demo's tasks use no database; the syncer never uses the broker.
    database = {name for name, w in workloads().items() if uses(w, "DATABASE_URL")}
    broker = {name for name, w in workloads().items() if uses(w, "CELERY_BROKER_URL")}
    assert database == {"migrate", "web", "beat", "syncer"}
    assert broker == {"web", "worker", "beat"}


def test_each_pod_reaches_dns_and_only_the_servers_it_uses() -> None:
    database, broker = (
        ("TCP", compose_port("DATABASE_URL")),
        ("TCP", compose_port("CELERY_BROKER_URL")),
    )
    for name, workload in workloads().items():
        expected = set(DNS)
        if uses(workload, "DATABASE_URL"):
            expected.add(database)
        if uses(workload, "CELERY_BROKER_URL"):
            expected.add(broker)
        assert allowed(workload, "Egress") == expected, name


def test_only_web_and_the_metrics_accept_connections() -> None:
    served = {"web": "http", "syncer": "metrics"}  # the ports they declare
    for name, workload in workloads().items():
        container = pod(workload)["containers"][0]
        expected = {("TCP", named_port(container, served[name]))} if name in served else set()
        assert allowed(workload, "Ingress") == expected, name


def test_a_database_or_broker_in_the_namespace_accepts_only_its_clients() -> None:
    for role, variable in (("database", "DATABASE_URL"), ("broker", "CELERY_BROKER_URL")):
        server = {"beat-sync/" + role: "server"}
        (policy,) = [
            p["spec"]
            for p in resources("NetworkPolicy").values()
            if selects(p["spec"]["podSelector"], server)
        ]
        (rule,) = policy["ingress"]
        (source,) = rule["from"]
        clients = {
            n for n, w in workloads().items() if selects(source["podSelector"], labels_of(w))
        }
        assert clients == {n for n, w in workloads().items() if uses(w, variable)}, role
        assert rule["ports"] == [{"protocol": "TCP", "port": compose_port(variable)}]
