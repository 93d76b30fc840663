#!/usr/bin/env python3
"""Generate a deterministic, realistic Terraform state (format version 4) of about a given size.

The state looks like what `terraform apply` with the hashicorp/kubernetes provider (2.3x) writes:
root-level namespace resources and a data source, then one module per service (`module.svc_N`)
holding a ConfigMap, a `kubernetes_deployment_v1.app` (one container), a Service and, for some
modules, a `for_each` deployment (`worker["batch"]`, `worker["stream"]`, two containers each) and a
`count` secret (`tls[0]`, `tls[1]`). Attributes carry everything the provider writes for a
Deployment (metadata, selector, strategy, pod template, containers with env / env_from / ports /
probes / resources / security context / volume mounts, volumes, ...), indented by two spaces like
Terraform's own writer, and resources are sorted the way Terraform sorts them (module, mode, type,
name), so module names sort as strings: svc_0, svc_1, svc_10, svc_100, ...

The address to look up is the lexically last module's deployment, i.e. the last module in the
file: the worst case for a reader that scans from the top. It is printed on stdout (one line);
statistics go to stderr.

The same --size-bytes always gives the same bytes (every random choice is seeded by the module
index), so the result is stable across runs and machines.

Usage: gen_state.py --size-bytes N --out PATH
"""

import argparse
import base64
import json
import random
import sys
import uuid

PROVIDER = 'provider["registry.terraform.io/hashicorp/kubernetes"]'
NAMESPACE = "apps"
REGISTRY = "registry.example.com/team"
# What the provider stores in `private` for resources with timeouts (create/update/delete, in ns).
PRIVATE_TIMEOUTS = base64.b64encode(
    b'{"e2bfb730-ecaa-11e6-8f88-34363bc7c4c0":{"create":600000000000,"delete":600000000000,'
    b'"update":600000000000},"schema_version":"1"}'
).decode()
PRIVATE_NULL = "bnVsbA=="  # base64("null")

ENV_POOL = [
    ("LOG_LEVEL", ["info", "debug", "warn"]),
    ("LOG_FORMAT", ["json"]),
    ("HTTP_PORT", ["8080"]),
    ("METRICS_PORT", ["9090"]),
    ("GRPC_PORT", ["50051"]),
    ("OTEL_EXPORTER_OTLP_ENDPOINT", ["http://otel-collector.observability.svc.cluster.local:4317"]),
    ("OTEL_SERVICE_NAME", None),  # filled with the service name
    ("OTEL_TRACES_SAMPLER", ["parentbased_traceidratio"]),
    ("OTEL_TRACES_SAMPLER_ARG", ["0.1", "0.05", "1.0"]),
    ("DB_HOST", None),
    ("DB_PORT", ["5432"]),
    ("DB_NAME", None),
    ("DB_POOL_MAX", ["10", "20", "50"]),
    ("REDIS_URL", ["redis://redis-master.cache.svc.cluster.local:6379/0"]),
    ("KAFKA_BOOTSTRAP_SERVERS", ["kafka-0.kafka-headless.streaming.svc.cluster.local:9092,kafka-1.kafka-headless.streaming.svc.cluster.local:9092"]),
    ("FEATURE_FLAGS", ["new-checkout,fast-search", "beta-ui", ""]),
    ("CACHE_TTL_SECONDS", ["300", "60", "3600"]),
    ("REQUEST_TIMEOUT_MS", ["5000", "15000"]),
    ("JAVA_TOOL_OPTIONS", ["-XX:MaxRAMPercentage=75.0 -XX:+UseG1GC -Dfile.encoding=UTF-8"]),
    ("GOMAXPROCS", ["2", "4"]),
    ("TZ", ["UTC"]),
]


def uid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def metadata(rng, name, labels, annotations=None, generation=1, namespace=NAMESPACE):
    return [{
        "annotations": annotations,
        "generate_name": "",
        "generation": generation,
        "labels": labels,
        "name": name,
        "namespace": namespace,
        "resource_version": str(rng.randint(1000, 99_999_999)),
        "uid": uid(rng),
    }]


def empty_template_metadata(labels, annotations=None):
    return [{
        "annotations": annotations,
        "generate_name": "",
        "generation": 0,
        "labels": labels,
        "name": "",
        "namespace": "",
        "resource_version": "",
        "uid": "",
    }]


def env_list(rng, svc):
    count = rng.randint(6, 16)
    out = []
    for name, values in rng.sample(ENV_POOL, count):
        if values is None:
            value = {"OTEL_SERVICE_NAME": svc, "DB_HOST": f"{svc}-db.{NAMESPACE}.svc.cluster.local",
                     "DB_NAME": svc.replace("-", "_")}[name]
        else:
            value = rng.choice(values)
        out.append({"name": name, "value": value, "value_from": []})
    out.sort(key=lambda e: e["name"])
    # Secrets come through value_from, as they should.
    for key in ("DB_PASSWORD", "API_TOKEN")[: rng.randint(1, 2)]:
        out.append({
            "name": key,
            "value": "",
            "value_from": [{
                "config_map_key_ref": [],
                "field_ref": [],
                "resource_field_ref": [],
                "secret_key_ref": [{"key": key.lower(), "name": f"{svc}-secrets", "optional": False}],
            }],
        })
    out.append({
        "name": "POD_NAME",
        "value": "",
        "value_from": [{
            "config_map_key_ref": [],
            "field_ref": [{"api_version": "v1", "field_path": "metadata.name"}],
            "resource_field_ref": [],
            "secret_key_ref": [],
        }],
    })
    return out


def http_probe(path, port, initial, period, failure=3):
    return [{
        "exec": [],
        "failure_threshold": failure,
        "grpc": [],
        "http_get": [{"host": "", "http_header": [], "path": path, "port": str(port), "scheme": "HTTP"}],
        "initial_delay_seconds": initial,
        "period_seconds": period,
        "success_threshold": 1,
        "tcp_socket": [],
        "timeout_seconds": 1,
    }]


def container(rng, name, image, svc, port, main=True):
    cpu_req = rng.choice(["50m", "100m", "250m", "500m"])
    mem_req = rng.choice(["64Mi", "128Mi", "256Mi", "512Mi"])
    return {
        "args": ["--config=/etc/app/config.yaml", f"--port={port}"] if main else None,
        "command": None,
        "env": env_list(rng, svc) if main else [{"name": "LOG_LEVEL", "value": "info", "value_from": []}],
        "env_from": [{
            "config_map_ref": [{"name": f"{svc}-config", "optional": False}],
            "prefix": "",
            "secret_ref": [],
        }] if main else [],
        "image": image,
        "image_pull_policy": "IfNotPresent",
        "lifecycle": [{
            "post_start": [],
            "pre_stop": [{"exec": [{"command": ["/bin/sh", "-c", "sleep 5"]}], "http_get": [], "tcp_socket": []}],
        }] if main else [],
        "liveness_probe": http_probe("/healthz", port, 10, 10) if main else [],
        "name": name,
        "port": [
            {"container_port": port, "host_ip": "", "host_port": 0, "name": "http", "protocol": "TCP"},
            {"container_port": 9090, "host_ip": "", "host_port": 0, "name": "metrics", "protocol": "TCP"},
        ] if main else [],
        "readiness_probe": http_probe("/readyz", port, 5, 5) if main else [],
        "resources": [{
            "limits": {"cpu": "1", "memory": "1Gi"} if main else {"cpu": "100m", "memory": "64Mi"},
            "requests": {"cpu": cpu_req, "memory": mem_req} if main else {"cpu": "10m", "memory": "32Mi"},
        }],
        "security_context": [{
            "allow_privilege_escalation": False,
            "capabilities": [{"add": None, "drop": ["ALL"]}],
            "privileged": False,
            "read_only_root_filesystem": True,
            "run_as_group": "10001",
            "run_as_non_root": True,
            "run_as_user": "10001",
            "se_linux_options": [],
            "seccomp_profile": [{"localhost_profile": "", "type": "RuntimeDefault"}],
        }],
        "startup_probe": http_probe("/healthz", port, 0, 2, 30) if main else [],
        "stdin": False,
        "stdin_once": False,
        "termination_message_path": "/dev/termination-log",
        "termination_message_policy": "File",
        "tty": False,
        "volume_device": [],
        "volume_mount": [
            {"mount_path": "/etc/app", "mount_propagation": "None", "name": "config", "read_only": True, "sub_path": ""},
            {"mount_path": "/tmp", "mount_propagation": "None", "name": "tmp", "read_only": False, "sub_path": ""},
        ],
        "working_dir": "",
    }


def deployment_attrs(rng, name, svc, containers, replicas):
    labels = {"app.kubernetes.io/name": svc, "app.kubernetes.io/instance": name,
              "app.kubernetes.io/managed-by": "terraform", "app.kubernetes.io/part-of": "shop"}
    selector = {"app.kubernetes.io/name": svc, "app.kubernetes.io/instance": name}
    return {
        "id": f"{NAMESPACE}/{name}",
        "metadata": metadata(rng, name, labels, {"deployment.kubernetes.io/revision": str(rng.randint(1, 40))},
                             generation=rng.randint(1, 40)),
        "spec": [{
            "min_ready_seconds": 0,
            "paused": False,
            "progress_deadline_seconds": 600,
            "replicas": str(replicas),
            "revision_history_limit": 10,
            "selector": [{"match_expressions": [], "match_labels": selector}],
            "strategy": [{"rolling_update": [{"max_surge": "25%", "max_unavailable": "0"}], "type": "RollingUpdate"}],
            "template": [{
                "metadata": empty_template_metadata(
                    dict(selector, **{"app.kubernetes.io/version": containers[0]["image"].rsplit(":", 1)[1]}),
                    {"prometheus.io/scrape": "true", "prometheus.io/port": "9090"}),
                "spec": [{
                    "active_deadline_seconds": 0,
                    "affinity": [{
                        "node_affinity": [],
                        "pod_affinity": [],
                        "pod_anti_affinity": [{
                            "preferred_during_scheduling_ignored_during_execution": [{
                                "pod_affinity_term": [{
                                    "label_selector": [{"match_expressions": [], "match_labels": selector}],
                                    "namespace_selector": [],
                                    "namespaces": None,
                                    "topology_key": "kubernetes.io/hostname",
                                }],
                                "weight": 100,
                            }],
                            "required_during_scheduling_ignored_during_execution": [],
                        }],
                    }],
                    "automount_service_account_token": False,
                    "container": containers,
                    "dns_config": [],
                    "dns_policy": "ClusterFirst",
                    "enable_service_links": False,
                    "host_aliases": [],
                    "host_ipc": False,
                    "host_network": False,
                    "host_pid": False,
                    "hostname": "",
                    "image_pull_secrets": [{"name": "registry-credentials"}],
                    "init_container": [],
                    "node_name": "",
                    "node_selector": {"kubernetes.io/os": "linux"},
                    "os": [],
                    "priority_class_name": "",
                    "readiness_gate": [],
                    "restart_policy": "Always",
                    "runtime_class_name": "",
                    "scheduler_name": "default-scheduler",
                    "security_context": [{
                        "fs_group": "10001",
                        "fs_group_change_policy": "",
                        "run_as_group": "10001",
                        "run_as_non_root": True,
                        "run_as_user": "10001",
                        "se_linux_options": [],
                        "seccomp_profile": [{"localhost_profile": "", "type": "RuntimeDefault"}],
                        "supplemental_groups": None,
                        "sysctl": [],
                        "windows_options": [],
                    }],
                    "service_account_name": svc,
                    "share_process_namespace": False,
                    "subdomain": "",
                    "termination_grace_period_seconds": 30,
                    "toleration": [],
                    "topology_spread_constraint": [],
                    "volume": [
                        {"config_map": [{"default_mode": "0644", "items": [], "name": f"{svc}-config", "optional": False}],
                         "name": "config"},
                        {"empty_dir": [{"medium": "", "size_limit": ""}], "name": "tmp"},
                    ],
                }],
            }],
        }],
        "timeouts": None,
        "wait_for_rollout": True,
    }


def identity(kind, api_version, name):
    return {"api_version": api_version, "kind": kind, "name": name, "namespace": NAMESPACE}


def instance(attrs, kind, api_version, name, deps, private=PRIVATE_NULL, index_key=None):
    inst = {}
    if index_key is not None:
        inst["index_key"] = index_key
    inst.update({
        "schema_version": 1 if kind == "Deployment" else 0,
        "attributes": attrs,
        "sensitive_attributes": [],
        "identity_schema_version": 1,
        "identity": identity(kind, api_version, name),
        "private": private,
        "dependencies": deps,
    })
    return inst


def resource(module, mode, rtype, name, instances):
    res = {}
    if module:
        res["module"] = module
    res.update({"mode": mode, "type": rtype, "name": name, "provider": PROVIDER, "instances": instances})
    return res


def module_resources(i):
    """The resources of module.svc_<i>, sorted by (mode, type, name) like Terraform does."""
    rng = random.Random(i)
    mod = f"module.svc_{i}"
    svc = f"svc-{i}"
    image = f"{REGISTRY}/{svc}:1.2.{i}"
    port = 8080
    deps = ["kubernetes_namespace_v1.apps", f"{mod}.kubernetes_config_map_v1.config"]
    out = []

    cm_data = {
        "config.yaml": (f"service:\n  name: {svc}\n  port: {port}\nlogging:\n  level: info\n  format: json\n"
                        f"upstreams:\n" + "".join(f"  - svc-{rng.randrange(max(i, 1))}.{NAMESPACE}.svc:8080\n"
                                                  for _ in range(rng.randint(1, 4)))),
        "SERVICE_NAME": svc,
    }
    out.append(resource(mod, "managed", "kubernetes_config_map_v1", "config", [instance({
        "binary_data": None,
        "data": cm_data,
        "id": f"{NAMESPACE}/{svc}-config",
        "immutable": False,
        "metadata": metadata(rng, f"{svc}-config", {"app.kubernetes.io/name": svc}, generation=0),
    }, "ConfigMap", "v1", f"{svc}-config", ["kubernetes_namespace_v1.apps"])]))

    app = deployment_attrs(rng, svc, svc, [container(rng, svc, image, svc, port)], rng.choice([2, 3, 4]))
    out.append(resource(mod, "managed", "kubernetes_deployment_v1", "app",
                        [instance(app, "Deployment", "apps/v1", svc, deps, PRIVATE_TIMEOUTS)]))

    if i % 5 == 4:  # for_each = toset(["batch", "stream"])
        insts = []
        for key in ("batch", "stream"):
            name = f"{svc}-worker-{key}"
            cs = [container(rng, "worker", f"{REGISTRY}/{svc}-worker:1.2.{i}", svc, port),
                  container(rng, "log-shipper", "registry.example.com/platform/fluent-bit:3.1.9", svc, 2020, main=False)]
            insts.append(instance(deployment_attrs(rng, name, svc, cs, 1), "Deployment", "apps/v1", name, deps,
                                  PRIVATE_TIMEOUTS, index_key=key))
        out.append(resource(mod, "managed", "kubernetes_deployment_v1", "worker", insts))

    if i % 7 == 6:  # count = 2
        insts = []
        for n in range(2):
            name = f"{svc}-tls-{n}"
            insts.append(instance({
                "binary_data": None,
                "data": {"tls.crt": "", "tls.key": ""},  # sensitive values are stored; redacted here
                "id": f"{NAMESPACE}/{name}",
                "immutable": False,
                "metadata": metadata(rng, name, {"app.kubernetes.io/name": svc}, generation=0),
                "type": "kubernetes.io/tls",
                "wait_for_service_account_token": True,
            }, "Secret", "v1", name, ["kubernetes_namespace_v1.apps"], index_key=n))
        out.append(resource(mod, "managed", "kubernetes_secret_v1", "tls", insts))

    out.append(resource(mod, "managed", "kubernetes_service_v1", "app", [instance({
        "id": f"{NAMESPACE}/{svc}",
        "metadata": metadata(rng, svc, {"app.kubernetes.io/name": svc}, generation=0),
        "spec": [{
            "allocate_load_balancer_node_ports": True,
            "cluster_ip": f"10.96.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            "cluster_ips": None,
            "external_ips": None,
            "external_name": "",
            "external_traffic_policy": "",
            "health_check_node_port": 0,
            "internal_traffic_policy": "Cluster",
            "ip_families": ["IPv4"],
            "ip_family_policy": "SingleStack",
            "load_balancer_class": "",
            "load_balancer_ip": "",
            "load_balancer_source_ranges": None,
            "port": [{"app_protocol": "", "name": "http", "node_port": 0, "port": 80, "protocol": "TCP",
                      "target_port": "http"}],
            "publish_not_ready_addresses": False,
            "selector": {"app.kubernetes.io/name": svc, "app.kubernetes.io/instance": svc},
            "session_affinity": "None",
            "session_affinity_config": [],
            "type": "ClusterIP",
        }],
        "status": [{"load_balancer": [{"ingress": []}]}],
        "timeouts": None,
        "wait_for_load_balancer": True,
    }, "Service", "v1", svc, [f"{mod}.kubernetes_deployment_v1.app", "kubernetes_namespace_v1.apps"])]))
    return out


def root_resources():
    rng = random.Random("root")
    return [
        resource("", "data", "kubernetes_namespace_v1", "observability", [{
            "schema_version": 0,
            "attributes": {
                "id": "observability",
                "metadata": metadata(rng, "observability", {"kubernetes.io/metadata.name": "observability"},
                                     generation=0, namespace=""),
                "spec": [{"finalizers": ["kubernetes"]}],
            },
            "sensitive_attributes": [],
        }]),
        resource("", "managed", "kubernetes_namespace_v1", "apps", [{
            "schema_version": 0,
            "attributes": {
                "id": NAMESPACE,
                "metadata": metadata(rng, NAMESPACE, {"kubernetes.io/metadata.name": NAMESPACE, "team": "shop"},
                                     generation=0, namespace=""),
                "timeouts": None,
                "wait_for_default_service_account": False,
            },
            "sensitive_attributes": [],
            "identity_schema_version": 1,
            "identity": {"api_version": "v1", "kind": "Namespace", "name": NAMESPACE},
            "private": "eyJlMmJmYjczMC1lY2FhLTExZTYtOGY4OC0zNDM2M2JjN2M0YzAiOnsiZGVsZXRlIjozMDAwMDAwMDAwMDB9fQ==",
        }]),
    ]


def outputs(n_listed):
    return {
        "cluster_endpoint": {"value": "https://k8s.example.com:6443", "type": "string"},
        "images": {
            "value": {f"svc-{i}": f"{REGISTRY}/svc-{i}:1.2.{i}" for i in range(n_listed)},
            "type": ["map", "string"],
        },
        "namespace": {"value": NAMESPACE, "type": "string"},
        "registry_password": {"value": "REDACTED", "type": "string", "sensitive": True},
    }


def indent(text, prefix):
    return text.replace("\n", "\n" + prefix)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size-bytes", type=int, required=True, help="approximate size of the file to write")
    ap.add_argument("--out", required=True, help="where to write the state")
    args = ap.parse_args()

    dump = lambda obj: json.dumps(obj, indent=2, ensure_ascii=False)
    head = {"version": 4, "terraform_version": "1.13.3", "serial": 4211,
            "lineage": "3f0c3c8e-5d1b-4b52-9a0e-6c2f4a7d8e91", "outputs": outputs(20), "resources": []}
    head_text = dump(head)
    assert head_text.endswith('"resources": []\n}')
    prefix = head_text[: -len('[]\n}')] + "[\n"
    suffix = '\n  ],\n  "check_results": null\n}\n'

    chunks = [indent(dump(r), "    ") for r in root_resources()]
    size = len(prefix.encode()) + len(suffix) + sum(len(c.encode()) + 2 for c in chunks)
    # Add whole modules until the target is reached: whichever of stopping short or overshooting
    # by one module lands nearer.
    modules = {}
    i = 0
    while size < args.size_bytes:
        text = ",\n".join(indent(dump(r), "    ") for r in module_resources(i))
        over = size + len(text.encode()) + 2 - args.size_bytes
        if modules and over > args.size_bytes - size:
            break  # stopping short is closer to the target than overshooting
        modules[f"svc_{i}"] = text
        size += len(text.encode()) + 2
        i += 1
    # Terraform sorts resources by module address as a string: svc_10 comes before svc_2.
    order = sorted(modules)
    chunks.extend(modules[m] for m in order)
    if len(modules) < 20:  # the `images` output lists only modules that exist
        head["outputs"] = outputs(len(modules))
        prefix = dump(head)[: -len('[]\n}')] + "[\n"
        size = len(prefix.encode()) + len(suffix) + sum(len(c.encode()) + 2 for c in chunks)

    with open(args.out, "w", encoding="utf-8") as f:
        f.write(prefix)
        f.write(",\n".join(chunks))
        f.write(suffix)

    last = order[-1]
    address = f"module.{last}.kubernetes_deployment_v1.app"
    written = size - 2  # no separator after the last chunk
    print(address)
    print(f"gen_state: {args.out}: {written} bytes, {len(modules)} modules, target {address} "
          f"(image {REGISTRY}/{last.replace('_', '-')}:1.2.{last[4:]})", file=sys.stderr)


if __name__ == "__main__":
    main()
