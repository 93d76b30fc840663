#!/usr/bin/env bash
# Waits for each workload's rollout with kubectl, which reads the kubeconfig the prepare step wrote
# from the KUBE_* credentials (KUBECONFIG), else its own configuration on a self-hosted runner.
set -euo pipefail
for workload in $ROLLOUT; do
  kubectl rollout status "$workload" --namespace="$NAMESPACE" --timeout="$ROLLOUT_TIMEOUT"
done
