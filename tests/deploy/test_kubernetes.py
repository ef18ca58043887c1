"""The Kubernetes manifests: current with the service manifest, rendering, valid, and held to
the deployment policy (probes, limits, security context, PDB, HPA, network policy)."""

import json
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from chassis.testing import need_tool
from contracts.manifest import NAMES
from deploy.k8s import generate

ROOT = Path(__file__).resolve().parents[2]
OVERLAYS = ["dev", "prod"]
CUSTOM_KINDS = {"KafkaTopic", "ServiceMonitor", "PrometheusRule"}  # CRDs: no bundled schema
APPS = [*NAMES, "gateway"]


def render(overlay: str) -> list[dict]:
    need_tool("kubectl")
    done = subprocess.run(
        ["kubectl", "kustomize", str(ROOT / "deploy" / "k8s" / "overlays" / overlay)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


def of_kind(objects: list[dict], kind: str) -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def test_the_base_is_what_the_generator_writes_from_the_manifest():
    base = ROOT / "deploy" / "k8s" / "base"
    on_disk = {path.name: path.read_text() for path in base.glob("*.yaml")}
    assert on_disk == generate.files(), "run `python -m deploy.k8s.generate`"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_overlay_renders_and_validates_against_the_kubernetes_schemas(overlay):
    objects = render(overlay)
    version = kubernetes_validate.latest_version()
    for obj in objects:
        if obj["kind"] in CUSTOM_KINDS:
            continue
        kubernetes_validate.validate(obj, version, strict=True)
    assert {o["kind"] for o in objects} >= {"Deployment", "Service", "Ingress", "KafkaTopic"}
    assert not of_kind(objects, "Secret"), "secrets are referenced, never kept in the repo"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_app_of_the_manifest_is_deployed_to_the_policy(overlay):
    objects = render(overlay)
    deployments = of_kind(objects, "Deployment")
    assert sorted(deployments) == sorted(f"flywheel-{app}" for app in APPS)
    budgets = {
        o["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"]
        for o in of_kind(objects, "PodDisruptionBudget").values()
    }
    scaled = {
        o["spec"]["scaleTargetRef"]["name"]
        for o in of_kind(objects, "HorizontalPodAutoscaler").values()
    }
    policed = {
        o["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/name"]
        for o in of_kind(objects, "NetworkPolicy").values()
    }
    jobs = of_kind(objects, "Job")
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        for container in pod["containers"]:
            assert container["readinessProbe"]["httpGet"]["path"] == "/readyz", name
            assert container["livenessProbe"]["httpGet"]["path"] == "/healthz", name
            assert {"cpu", "memory"} <= container["resources"]["limits"].keys(), name
            assert {"cpu", "memory"} <= container["resources"]["requests"].keys(), name
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, name
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["capabilities"]["drop"] == ["ALL"], name
        assert name in budgets, name
        assert name in scaled, name
        assert name in policed, name
        assert f"{name}-migrate" in jobs, name


def test_only_the_gateway_is_reachable_from_outside_and_services_only_from_it():
    objects = render("prod")
    policies = of_kind(objects, "NetworkPolicy")
    (ingress,) = of_kind(objects, "Ingress").values()
    assert ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"] == (
        "flywheel-gateway"
    )
    for app in NAMES:
        sources = [
            peer for rule in policies[f"flywheel-{app}"]["spec"]["ingress"] for peer in rule["from"]
        ]
        assert {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "flywheel-gateway"}}} in (
            sources
        )
        assert all(peer.get("podSelector") or peer.get("namespaceSelector") for peer in sources)


def test_a_service_reaches_users_and_the_services_it_calls_and_no_other():
    policies = of_kind(render("prod"), "NetworkPolicy")

    def pods(rules, side: str) -> set[str]:
        return {
            peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"].removeprefix("flywheel-")
            for rule in rules
            for peer in rule.get(side, [])
            if "podSelector" in peer
        }

    def reach(name: str) -> tuple[set[str], set[str]]:
        policy = policies[f"flywheel-{name}"]["spec"]
        return pods(policy["ingress"], "from"), pods(policy["egress"], "to")

    # Every service reads users' signing keys; orders asks campaigns' quote at checkout.
    assert reach("users") == ({"gateway", *NAMES} - {"users"}, set())
    assert reach("campaigns") == ({"gateway", "orders"}, {"users"})
    assert reach("orders") == ({"gateway"}, {"users", "campaigns"})
    for name in set(NAMES) - {"users", "campaigns", "orders"}:
        assert reach(name) == ({"gateway"}, {"users"})


def test_only_analytics_reaches_the_internet_and_never_private_networks():
    policies = of_kind(render("prod"), "NetworkPolicy")
    internet = {}
    for name, policy in policies.items():
        blocks = [
            peer["ipBlock"]
            for rule in policy["spec"]["egress"]
            for peer in rule.get("to", [])
            if "ipBlock" in peer
        ]
        if blocks:
            internet[name] = blocks
    assert list(internet) == ["flywheel-analytics"]  # its alert webhooks
    (block,) = internet["flywheel-analytics"]
    assert block["cidr"] == "0.0.0.0/0"
    assert {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"} <= set(
        block["except"]
    )


def test_every_topic_of_the_contracts_and_its_dead_letters_is_a_kafka_topic():
    from contracts import load_contracts

    names = {o["spec"]["topicName"] for o in render("prod") if o["kind"] == "KafkaTopic"}
    topics = load_contracts().topics()
    assert names == {*topics, *(f"{t}.dlq" for t in topics)}


def test_the_gateway_config_names_every_service_upstream():
    (config,) = (o for o in render("prod") if o["kind"] == "ConfigMap")
    upstreams = json.loads(config["data"]["GATEWAY_UPSTREAMS"])
    assert upstreams == {name: f"http://flywheel-{name}" for name in NAMES}


def test_the_prometheus_rules_cover_what_on_call_needs():
    (rules,) = (o for o in render("prod") if o["kind"] == "PrometheusRule")
    exprs = " ".join(r["expr"] for g in rules["spec"]["groups"] for r in g["rules"])
    for metric in (
        "flywheel_outbox_backlog",
        "flywheel_consumer_lag",
        "flywheel_dlq_messages_total",
        'status=~"5.."',
        "flywheel_http_request_duration_seconds_bucket",
        "flywheel_gateway_breaker_open",
    ):
        assert metric in exprs
    dashboard = json.loads((ROOT / "deploy/observability/grafana-dashboard.json").read_text())
    assert len(dashboard["panels"]) >= 6
