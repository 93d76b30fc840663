#!/usr/bin/env bash
# write_states.sh HOST PKI WORK — the real terraform writes states through its `kubernetes`
# backend into the fake API server at HOST (fake_apiserver.py, started by the caller with PKI's
# server.crt/server.key and client CA ca.crt), authenticated by PKI's client.crt/client.key.
#
# Terraform 1.11 cannot be configured with host + the three PEM values alone
# (hashicorp/terraform#31275): `config_path` names a file that does not exist, the known
# workaround. Workspaces written, namespace `tfstate`, secret suffix `app`, labels team=payments:
#   default, staging  one terraform_data each: image registry.example.com/app:<ws>-v1
#   big               + 1.5 MB of random bytes stored twice: > 1 MiB of gzip, so several Secrets
#   held              a state, then its lock taken as Terraform takes it (the Lease PUT with
#                     holderIdentity and the app.terraform.io/lock-info annotation), left held
# Each state as `terraform state pull` prints it goes to WORK/out/<ws>.tfstate.
set -euo pipefail
HOST="${1:?host}"; PKI="${2:?pki dir}"; WORK="${3:?work dir}"
TERRAFORM="${TERRAFORM:-terraform}"
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
mkdir -p "$WORK/tf" "$WORK/out"
: > "$WORK/terraformrc"; export TF_CLI_CONFIG_FILE="$WORK/terraformrc"
for v in $(env | awk -F= '/^(TF_WORKSPACE|TF_DATA_DIR|KUBE_[A-Z_]*)=/ {print $1}'); do unset "$v"; done

cat > "$WORK/tf/main.tf" <<'HCL'
terraform {
  backend "kubernetes" {}
}

resource "terraform_data" "app" {
  input = {
    image = "registry.example.com/app:${terraform.workspace}-v1"
  }
}

resource "terraform_data" "big" {
  count = terraform.workspace == "big" ? 1 : 0
  input = filebase64("${path.module}/big.bin")
}

output "image" {
  value = terraform_data.app.output.image
}
HCL
head -c 1500000 /dev/urandom > "$WORK/tf/big.bin"

cat > "$WORK/k8s.tfbackend" <<HCL
secret_suffix = "app"
namespace     = "tfstate"
host          = "$HOST"
labels        = { team = "payments" }
config_path   = "$WORK/no-such-kubeconfig"
client_certificate = <<PEM
$(cat "$PKI/client.crt")
PEM
client_key = <<PEM
$(cat "$PKI/client.key")
PEM
cluster_ca_certificate = <<PEM
$(cat "$PKI/ca.crt")
PEM
HCL

tf() { ( cd "$WORK/tf" && "$TERRAFORM" "$@" ); }
tf init -input=false -no-color -backend-config="$WORK/k8s.tfbackend" >/dev/null
for ws in default staging big held; do
  [ "$ws" = default ] || tf workspace new -no-color "$ws" >/dev/null
  tf apply -auto-approve -input=false -no-color >/dev/null
  tf state pull > "$WORK/out/$ws.tfstate"
done
tf workspace select -no-color default >/dev/null

# The lock on `held`, as Terraform's Lock() writes it: GET the Lease, PUT it with the holder.
python3 - "$HOST" "$PKI" <<'PY'
import json, ssl, sys, urllib.request
host, pki = sys.argv[1], sys.argv[2]
ctx = ssl.create_default_context(cafile=f"{pki}/ca.crt")
ctx.load_cert_chain(f"{pki}/client.crt", f"{pki}/client.key")
url = f"{host}/apis/coordination.k8s.io/v1/namespaces/tfstate/leases/lock-tfstate-held-app"
lease = json.load(urllib.request.urlopen(urllib.request.Request(url), context=ctx))
info = {"ID": "3f1c2d4e-5a6b-7c8d-9e0f-112233445566", "Operation": "OperationTypeApply", "Info": "",
        "Who": "deployer@runner-7", "Version": "1.11.4", "Created": "2026-11-29T05:42:19.510022006Z", "Path": ""}
lease["spec"]["holderIdentity"] = info["ID"]
lease["metadata"].setdefault("annotations", {})["app.terraform.io/lock-info"] = json.dumps(info)
req = urllib.request.Request(url, data=json.dumps(lease).encode(), method="PUT",
                             headers={"Content-Type": "application/json"})
urllib.request.urlopen(req, context=ctx).read()
PY
echo "states written"
