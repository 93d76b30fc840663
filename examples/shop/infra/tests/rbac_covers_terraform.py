"""Check ../bootstrap/terraform-rbac.yaml against the Terraform: least privilege that still works.

- every kubernetes_* resource type the Terraform declares is covered by the shop-terraform
  ClusterRole (get, create, update or patch, delete), and the ClusterRole grants nothing the
  Terraform does not use;
- namespaces: only get/update/patch, only on the namespaces the platform manages;
- Secrets other than shop-db cannot be read or changed;
- the state Role in tfstate is exactly what Terraform's kubernetes backend does (and the action's
  preflight asks): secrets get/list/create/update, leases get/create/update;
- no wildcard, no escalating verb, no binding to a built-in role, every subject is User terraform.
Usage: rbac_covers_terraform.py INFRA_DIR
"""
import pathlib
import re
import sys

import yaml

# Terraform resource type -> (API group, resource). A new type must be added here and granted.
TYPES = {
    "kubernetes_deployment_v1": ("apps", "deployments"),
    "kubernetes_stateful_set_v1": ("apps", "statefulsets"),
    "kubernetes_service_v1": ("", "services"),
    "kubernetes_secret_v1": ("", "secrets"),
    "kubernetes_persistent_volume_claim_v1": ("", "persistentvolumeclaims"),
    "kubernetes_ingress_v1": ("networking.k8s.io", "ingresses"),
    "kubernetes_network_policy_v1": ("networking.k8s.io", "networkpolicies"),
}
MANAGED_NAMESPACES = {"dev", "qa", "prod", "monitoring"}

errors = []


def check(ok, message):
    if not ok:
        errors.append(message)


def grants(rules):
    """(group, resource) -> {verb: set of resourceNames, or None for any name}"""
    out = {}
    for rule in rules:
        for group in rule.get("apiGroups", []):
            for resource in rule.get("resources", []):
                for verb in rule.get("verbs", []):
                    names = rule.get("resourceNames")
                    slot = out.setdefault((group, resource), {})
                    if names is None:
                        slot[verb] = None  # any name
                    elif slot.get(verb, set()) is not None:
                        slot[verb] = slot.get(verb, set()) | set(names)
    return out


infra = pathlib.Path(sys.argv[1])
docs = [d for d in yaml.safe_load_all((infra / "bootstrap/terraform-rbac.yaml").read_text()) if d]
by_kind = {}
for d in docs:
    by_kind.setdefault(d["kind"], []).append(d)

for d in docs:
    for rule in d.get("rules", []):
        for field in ("apiGroups", "resources", "verbs"):
            check("*" not in rule.get(field, []), f"{d['metadata']['name']}: a wildcard in {field}")
        bad = {"escalate", "bind", "impersonate", "watch", "list", "deletecollection"} & set(rule["verbs"])
        if d["metadata"]["name"] == "terraform-state":
            bad -= {"list"}  # the backend lists its state Secrets by label to find workspaces
        if (d["metadata"]["name"] == "shop-terraform" and rule.get("resources") == ["deployments"]
                and rule.get("resourceNames") == ["backend", "frontend"]):
            # kubectl rollout status (the workflows' rollout check) lists and watches the two
            # Deployments it waits for, by name (field selector metadata.name).
            bad -= {"list", "watch"}
        check(not bad, f"{d['metadata']['name']}: verbs {sorted(bad)} are more than Terraform needs")
    if d["kind"] in ("RoleBinding", "ClusterRoleBinding"):
        check(d["roleRef"]["name"] not in ("cluster-admin", "admin", "edit", "view"),
              f"{d['metadata']['name']}: binds the built-in role {d['roleRef']['name']}")
        check(d["subjects"] == [{"kind": "User", "name": "terraform", "apiGroup": "rbac.authorization.k8s.io"}],
              f"{d['metadata']['name']}: subjects must be exactly the User terraform")

roles = {d["metadata"]["name"]: d for d in by_kind.get("ClusterRole", []) + by_kind.get("Role", [])}

# What the Terraform declares.
declared = set()
for tf in infra.rglob("*.tf"):
    declared |= set(re.findall(r'^resource\s+"(kubernetes_\w+)"', tf.read_text(), re.M))
unknown = declared - set(TYPES) - {"kubernetes_namespace_v1"}
check(not unknown, f"resource types {sorted(unknown)} are not mapped in this check: map them and grant them")

shop = grants(roles["shop-terraform"]["rules"])
for kind in sorted(declared & set(TYPES)):
    key = TYPES[kind]
    verbs = shop.get(key, {})
    check("create" in verbs and verbs["create"] is None, f"{kind}: shop-terraform cannot create {key[1]}")
    check("get" in verbs and "delete" in verbs and ("update" in verbs or "patch" in verbs),
          f"{kind}: shop-terraform needs get, update/patch and delete on {key[1]}")
used = {TYPES[k] for k in declared if k in TYPES}
check(set(shop) <= used, f"shop-terraform grants {sorted(set(shop) - used)}, which no Terraform resource needs")
secret = shop.get(("", "secrets"), {})
for verb in ("get", "update", "patch", "delete"):
    check(secret.get(verb) == {"shop-db"}, f"secrets {verb} must be limited to shop-db, got {secret.get(verb)}")
platform = (infra / "platform/database.tf").read_text()
check(re.search(r'name\s*=\s*"shop-db"', platform), "the platform no longer names its Secret shop-db")

ns = grants(roles["shop-terraform-namespaces"]["rules"])
check(set(ns) == {("", "namespaces")}, "shop-terraform-namespaces must grant namespaces only")
for verb, names in ns.get(("", "namespaces"), {}).items():
    check(verb in ("get", "update", "patch"), f"namespaces: {verb} is not needed (they are adopted, never created or deleted)")
    check(names == MANAGED_NAMESPACES, f"namespaces {verb}: limited to {sorted(names or [])}, expected {sorted(MANAGED_NAMESPACES)}")
made = {d["metadata"]["name"] for d in by_kind["Namespace"]}
check(made == MANAGED_NAMESPACES | {"tfstate"}, f"the bootstrap makes namespaces {sorted(made)}")

bound = {d["metadata"]["namespace"] for d in by_kind["RoleBinding"] if d["roleRef"]["name"] == "shop-terraform"}
check(bound == MANAGED_NAMESPACES, f"shop-terraform is bound in {sorted(bound)}, expected {sorted(MANAGED_NAMESPACES)}")
check(all(d["roleRef"]["name"] != "shop-terraform" for d in by_kind.get("ClusterRoleBinding", [])),
      "shop-terraform must be bound per namespace, never cluster-wide")

state = roles["terraform-state"]
check(state["kind"] == "Role" and state["metadata"]["namespace"] == "tfstate", "terraform-state must be a Role in tfstate")
want = {("", "secrets"): {"get", "list", "create", "update"}, ("coordination.k8s.io", "leases"): {"get", "create", "update"}}
got = {k: set(v) for k, v in grants(state["rules"]).items()}
check(got == want, f"terraform-state grants {got}, expected {want}")

review = grants(roles["shop-terraform-self-review"]["rules"])
check(review == {("authorization.k8s.io", "selfsubjectaccessreviews"): {"create": None}},
      "shop-terraform-self-review must grant selfsubjectaccessreviews create only")

for e in errors:
    print("rbac:", e, file=sys.stderr)
if errors:
    sys.exit(f"{len(errors)} problem(s) in bootstrap/terraform-rbac.yaml")
print(f"the RBAC covers {len(declared)} resource types the Terraform declares, and no more")
