#!/usr/bin/env bash
# With KUBE_HOST set (the workflows' kube-host input), writes a kubeconfig made of KUBE_HOST and the
# PEM values of KUBE_CLUSTER_CA_CERT_DATA, KUBE_CLIENT_CERT_DATA and KUBE_CLIENT_KEY_DATA, mode 600,
# in the job's temporary directory (the runner empties it after the job), and points
# KUBE_CONFIG_PATH (Terraform's backend and provider, stage-action) and KUBECONFIG (kubectl) at it.
# Terraform 1.11's kubernetes backend cannot start from host and PEM values without a kubeconfig
# (hashicorp/terraform#31275); with this file every tool reads the same credentials.
set -euo pipefail
# shellcheck source=../runner.sh
source "$(dirname "${BASH_SOURCE[0]}")/../runner.sh"
[ -n "${KUBE_HOST:-}" ] || exit 0
case "$KUBE_HOST" in
  https://* | http://*) ;;
  *) annotate error kube-host "the kube-host input is not an http(s) URL (https://192.168.49.2:8443)"; exit 1 ;;
esac
case "$KUBE_HOST" in
  *'"'* | *\\* | *[[:space:]]*) annotate error kube-host "the kube-host input is not a URL: it holds a quote, a backslash or a space"; exit 1 ;;
esac
b64() { printf '%s\n' "$1" | base64 -w0; }
dir="$RUNNER_TEMP/stage-action-kube"
mkdir -p "$dir"
chmod 700 "$dir"
file="$dir/config"
umask 077
{
  echo "apiVersion: v1"
  echo "kind: Config"
  echo "clusters:"
  echo "- name: stage"
  echo "  cluster:"
  echo "    server: \"$KUBE_HOST\""
  if [ -n "${KUBE_CLUSTER_CA_CERT_DATA:-}" ]; then
    echo "    certificate-authority-data: $(b64 "$KUBE_CLUSTER_CA_CERT_DATA")"
  fi
  echo "users:"
  echo "- name: stage"
  echo "  user:"
  if [ -n "${KUBE_CLIENT_CERT_DATA:-}" ]; then
    echo "    client-certificate-data: $(b64 "$KUBE_CLIENT_CERT_DATA")"
    echo "    client-key-data: $(b64 "${KUBE_CLIENT_KEY_DATA:-}")"
  fi
  echo "contexts:"
  echo "- name: stage"
  echo "  context:"
  echo "    cluster: stage"
  echo "    user: stage"
  echo "current-context: stage"
} >"$file"
export_env KUBE_CONFIG_PATH "$file"
export_env KUBECONFIG "$file"
echo "kubeconfig for $KUBE_HOST written to the job's temporary directory"
