#!/usr/bin/env bash
# Waits for each workload's rollout with kubectl. With KUBE_HOST set (the workflows' kube-host
# input), kubectl gets a kubeconfig made from the same client certificate, key and CA that
# Terraform uses, written with mode 600 to the job's temporary directory; else kubectl finds its
# own configuration (KUBECONFIG, ~/.kube/config on a self-hosted runner).
set -euo pipefail
if [ -n "${KUBE_HOST:-}" ]; then
  umask 077
  dir="$RUNNER_TEMP/stage-action-kube"
  mkdir -p "$dir"
  trap 'rm -rf "$dir"' EXIT
  export KUBECONFIG="$dir/config"
  args=(--server="$KUBE_HOST")
  if [ -n "${KUBE_CLUSTER_CA_CERT_DATA:-}" ]; then
    printf '%s\n' "$KUBE_CLUSTER_CA_CERT_DATA" >"$dir/ca.crt"
    args+=(--certificate-authority="$dir/ca.crt" --embed-certs=true)
  fi
  kubectl config set-cluster stage "${args[@]}" >/dev/null
  if [ -n "${KUBE_CLIENT_CERT_DATA:-}" ]; then
    printf '%s\n' "$KUBE_CLIENT_CERT_DATA" >"$dir/client.crt"
    printf '%s\n' "$KUBE_CLIENT_KEY_DATA" >"$dir/client.key"
    kubectl config set-credentials stage --client-certificate="$dir/client.crt" --client-key="$dir/client.key" --embed-certs=true >/dev/null
    rm -f "$dir/client.crt" "$dir/client.key"
  fi
  kubectl config set-context stage --cluster=stage --user=stage >/dev/null
  kubectl config use-context stage >/dev/null
fi
for workload in $ROLLOUT; do
  kubectl rollout status "$workload" --namespace="$NAMESPACE" --timeout="$ROLLOUT_TIMEOUT"
done
