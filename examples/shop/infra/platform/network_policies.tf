# Who may talk to what, where it costs one policy each. They are enforced only by a network plugin
# that implements NetworkPolicy: on Minikube, `minikube start --cni=calico` (the README does).

# Each stage's database accepts connections only from that stage's backend pods.
resource "kubernetes_network_policy_v1" "db" {
  for_each = var.stages

  metadata {
    name      = "postgres-from-backend"
    namespace = kubernetes_namespace_v1.this[each.value].metadata[0].name
  }
  spec {
    pod_selector {
      match_labels = local.db_labels
    }
    policy_types = ["Ingress"]
    ingress {
      from {
        pod_selector {
          # The label modules/app puts on the backend's pods (and its migration init container).
          match_labels = { "app.kubernetes.io/name" = "shop-backend" }
        }
      }
      ports {
        port     = "5432"
        protocol = "TCP"
      }
    }
  }
}

# Uptime Kuma's web interface is reached through the ingress controller only.
resource "kubernetes_network_policy_v1" "kuma" {
  metadata {
    name      = "uptime-kuma-from-ingress"
    namespace = local.monitoring
  }
  spec {
    pod_selector {
      match_labels = local.kuma_labels
    }
    policy_types = ["Ingress"]
    ingress {
      from {
        namespace_selector {
          match_labels = { "kubernetes.io/metadata.name" = var.ingress_namespace }
        }
      }
      ports {
        port     = "3001"
        protocol = "TCP"
      }
    }
  }
}
