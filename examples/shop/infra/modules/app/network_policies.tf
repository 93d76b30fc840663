# The frontend is reached through the ingress controller only; the backend through the frontend's
# proxy, and by Uptime Kuma for /readyz. Enforced only by a network plugin that implements
# NetworkPolicy (`minikube start --cni=calico`).

resource "kubernetes_network_policy_v1" "frontend" {
  metadata {
    name      = "frontend-from-ingress"
    namespace = local.namespace
  }
  spec {
    pod_selector {
      match_labels = local.frontend_labels
    }
    policy_types = ["Ingress"]
    ingress {
      from {
        namespace_selector {
          match_labels = { "kubernetes.io/metadata.name" = var.ingress_namespace }
        }
      }
      ports {
        port     = "8080"
        protocol = "TCP"
      }
    }
  }
}

resource "kubernetes_network_policy_v1" "backend" {
  metadata {
    name      = "backend-from-frontend"
    namespace = local.namespace
  }
  spec {
    pod_selector {
      match_labels = local.backend_labels
    }
    policy_types = ["Ingress"]
    ingress {
      from {
        pod_selector {
          match_labels = local.frontend_labels
        }
      }
      from {
        namespace_selector {
          match_labels = { "kubernetes.io/metadata.name" = var.monitoring_namespace }
        }
      }
      ports {
        port     = "8000"
        protocol = "TCP"
      }
    }
  }
}
