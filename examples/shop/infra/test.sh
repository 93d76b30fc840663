#!/usr/bin/env bash
# The shop's Terraform, checked as far as this machine can without a cluster or the providers:
#   formatting (terraform fmt), the image_tag rule of every stage root (real terraform plans of
#   the variables alone), the backend blocks (one state per root), the provider pins, no
#   credential literal, checkov with no finding, the bootstrap RBAC against what the Terraform
#   declares, and the stages file through the built action.
# Not checked here: `terraform validate` and `plan` of the real roots (they need the kubernetes
# and random providers, which cannot be downloaded offline), and nothing is applied (no cluster).
set -euo pipefail
cd "$(dirname "$0")"
SHOP=$(cd .. && pwd)
REPO=$(cd ../../.. && pwd)

export TF_CLI_CONFIG_FILE=/dev/null TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
need() { echo "error: $1 is needed by examples/shop/infra/test.sh: $2" >&2; exit 1; }
command -v terraform >/dev/null || need terraform "install it (bash .ci/run says how)"
command -v python3 >/dev/null || need python3 "apt-get install -y python3 python3-yaml"
python3 -c 'import yaml' 2>/dev/null || need "python3's yaml module" "python3 -m pip install pyyaml"
# checkov lives in its own virtualenv (.ci/run makes it): it pins boto3/botocore versions that
# would downgrade what the project's other tools use.
CHECKOV=${CHECKOV:-$(command -v checkov || echo /opt/checkov-venv/bin/checkov)}
[ -x "$CHECKOV" ] || need checkov "bash .ci/run installs checkov==3.3.30 into /opt/checkov-venv (or set CHECKOV)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "-- terraform fmt -check -recursive"
terraform fmt -check -recursive -diff .

echo "-- image_tag: a commit SHA or a SemVer version, nothing else (each stage root)"
for stage in dev qa prod; do
  cmp -s stages/dev/variables.tf "stages/$stage/variables.tf" || { echo "stages/$stage/variables.tf differs from stages/dev/variables.tf" >&2; exit 1; }
done
# The variables alone make a root with no provider: plan runs offline and evaluates the rule.
cp stages/dev/variables.tf "$work/"
terraform -chdir="$work" init -input=false -backend=false >/dev/null
plan() { terraform -chdir="$work" plan -input=false -lock=false -var image_org=acme -var "image_tag=$1" >/dev/null 2>&1; }
ok=(a1b2c3d 0123456789abcdef0123456789abcdef01234567 1.4.2 1.5.0-rc.1 0.9.0)
bad=(latest a1b2c3 A1B2C3D 0123456789abcdef0123456789abcdef012345678 1.4 v1.4.2 01.2.3 1.2.3+build "")
for tag in "${ok[@]}"; do
  plan "$tag" || { echo "image_tag $tag was refused; it must be accepted" >&2; exit 1; }
done
for tag in "${bad[@]}"; do
  ! plan "$tag" || { echo "image_tag '$tag' was accepted; it must be refused" >&2; exit 1; }
done
echo "${#ok[@]} accepted, ${#bad[@]} refused, as they should be"

echo "-- one state per root: kubernetes backend in tfstate, a distinct secret_suffix each"
suffixes=$(for root in platform stages/dev stages/qa stages/prod; do
  grep -A3 'backend "kubernetes"' "$root"/*.tf | grep -q 'namespace *= *"tfstate"' || { echo "$root: backend kubernetes with namespace tfstate expected" >&2; exit 1; }
  sed -n 's/^ *secret_suffix *= *"\(.*\)"/\1/p' "$root"/*.tf
done | tr '\n' ' ')
[ "$suffixes" = "platform shop-dev shop-qa shop-prod " ] || { echo "secret_suffix values are '$suffixes', expected 'platform shop-dev shop-qa shop-prod'" >&2; exit 1; }
echo "$suffixes"

echo "-- every provider has a version constraint; each root pins a patch series (~> X.Y.Z)"
for f in $(grep -rl --include='*.tf' 'source *= *"hashicorp/' .); do
  versions=$(grep -A1 'source *= *"hashicorp/' "$f" | grep 'version *=' || true)
  [ "$(grep -c 'source *= *"hashicorp/' "$f")" = "$(printf '%s' "$versions" | grep -c .)" ] \
    || { echo "$f: a provider without a version constraint on the line after its source" >&2; exit 1; }
  case $f in
    ./modules/*) ;;  # a module states what it works with; the root that uses it pins
    *) ! printf '%s\n' "$versions" | grep -vq '"~> [0-9]*\.[0-9]*\.[0-9]*"' \
         || { echo "$f: pin each provider to a patch series (~> X.Y.Z)" >&2; exit 1; } ;;
  esac
done
echo "providers pinned"

echo "-- no credential-looking literal in the Terraform"
python3 tests/no_secret_literals.py .

echo "-- checkov (no finding; every skip says why)"
"$CHECKOV" --directory . --framework terraform --skip-download --output json 2>"$work/checkov.err" >"$work/checkov.json" || true
python3 tests/checkov_report.py <"$work/checkov.json" || { cat "$work/checkov.err" >&2; exit 1; }

echo "-- the bootstrap RBAC: what the Terraform needs, no more"
python3 tests/rbac_covers_terraform.py .

echo "-- .github/stages.yml is valid (command: validate), and each stage finds its kubernetes backend (no cluster: no credentials)"
(cd "$SHOP" && GITHUB_WORKSPACE="$SHOP" HOME="$work" node "$REPO/dist/index.js" validate --stages-file .github/stages.yml >"$work/validate.out" 2>&1) \
  || { cat "$work/validate.out" >&2; echo "validate refused .github/stages.yml" >&2; exit 1; }
# `status` validates the whole file too, then reads each stage; with no KUBE_* variables each stage's read must stop at
# the kubernetes backend's missing host, which shows the backend block was found in its directory.
out=$(cd "$SHOP" && env -u KUBE_HOST -u KUBE_CONFIG_PATH -u KUBECONFIG GITHUB_WORKSPACE="$SHOP" HOME="$work" \
  node "$REPO/dist/index.js" status --stages-file .github/stages.yml --json 2>"$work/status.err") \
  || { cat "$work/status.err" >&2; echo "status refused .github/stages.yml" >&2; exit 1; }
printf '%s' "$out" | python3 -c '
import json, sys
stages = json.loads(json.load(sys.stdin)["stages"])
assert list(stages) == ["dev", "qa", "prod"], stages.keys()
assert [s["from"] for s in stages.values()] == [None, "dev", "qa"], "promotion order must be dev -> qa -> prod"
for name, s in stages.items():
    err = s.get("error") or ""
    assert "`host`: is required" in err, f"stage {name}: expected the kubernetes backend to want a host, got: {err}"
print("dev -> qa -> prod; each stage reads the kubernetes backend of its directory")
'
