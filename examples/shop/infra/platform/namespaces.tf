# The namespaces are created by the bootstrap (../bootstrap/terraform-rbac.yaml) together with the
# RoleBindings that let the terraform user work in them: a RoleBinding needs its namespace first,
# and letting Terraform create its own RoleBindings would let it grant itself rights anywhere.
# Terraform adopts them on the first apply (the `import` blocks below; a no-op afterwards) and
# owns their labels from then on: Pod Security "restricted" is enforced in every one, so a pod
# that runs as root or keeps capabilities is refused by the API server, not only by a linter.
locals {
  namespaces = setunion(var.stages, ["monitoring"])
  pod_security = {
    "pod-security.kubernetes.io/enforce"         = "restricted"
    "pod-security.kubernetes.io/enforce-version" = "latest"
  }
}

import {
  for_each = local.namespaces
  to       = kubernetes_namespace_v1.this[each.value]
  id       = each.value
}

resource "kubernetes_namespace_v1" "this" {
  for_each = local.namespaces

  metadata {
    name = each.value
    labels = merge(local.pod_security, {
      "app.kubernetes.io/part-of" = "shop"
    })
  }

  lifecycle {
    # Deleting a namespace deletes everything in it, the database volume included.
    prevent_destroy = true
  }
}
