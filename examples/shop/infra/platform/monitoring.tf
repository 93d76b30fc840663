# Uptime Kuma, watching the three stages from the `monitoring` namespace, at http://kuma.env/.
# Its monitors are added in its web interface (Uptime Kuma 1.x has no declarative configuration);
# the README lists the three to add.

locals {
  kuma_uid = 10001
  kuma_labels = {
    "app.kubernetes.io/name"      = "uptime-kuma"
    "app.kubernetes.io/component" = "monitoring"
    "app.kubernetes.io/part-of"   = "shop"
  }
  monitoring = kubernetes_namespace_v1.this["monitoring"].metadata[0].name
}

# Uptime Kuma's SQLite database and settings.
resource "kubernetes_persistent_volume_claim_v1" "kuma" {
  metadata {
    name      = "uptime-kuma"
    namespace = local.monitoring
    labels    = local.kuma_labels
  }
  spec {
    access_modes = ["ReadWriteOnce"]
    resources {
      requests = {
        storage = "1Gi"
      }
    }
  }
}

resource "kubernetes_deployment_v1" "kuma" {
  #checkov:skip=CKV_K8S_43:pinned by version tag; no digest could be looked up offline where this was written: add one in your copy (docker buildx imagetools inspect)
  #checkov:skip=CKV_K8S_22:Uptime Kuma 1.23 has not been verified here to run on a read-only root filesystem (no cluster); its data is on the volume either way
  metadata {
    name      = "uptime-kuma"
    namespace = local.monitoring
    labels    = local.kuma_labels
  }

  spec {
    # One writer of one SQLite file: never two pods, not even during a rollout.
    replicas = 1
    strategy {
      type = "Recreate"
    }

    selector {
      match_labels = local.kuma_labels
    }

    template {
      metadata {
        labels = local.kuma_labels
      }

      spec {
        automount_service_account_token = false

        security_context {
          run_as_non_root = true
          run_as_user     = local.kuma_uid
          run_as_group    = local.kuma_uid
          fs_group        = local.kuma_uid
          seccomp_profile {
            type = "RuntimeDefault"
          }
        }

        container {
          name              = "uptime-kuma"
          image             = "docker.io/louislam/uptime-kuma:1.23.16"
          image_pull_policy = "Always"

          port {
            name           = "http"
            container_port = 3001
          }

          resources {
            requests = {
              cpu    = "100m"
              memory = "128Mi"
            }
            limits = {
              cpu    = "500m"
              memory = "512Mi"
            }
          }

          readiness_probe {
            http_get {
              path = "/"
              port = "http"
            }
            period_seconds = 10
          }
          liveness_probe {
            http_get {
              path = "/"
              port = "http"
            }
            initial_delay_seconds = 60
            period_seconds        = 20
          }

          security_context {
            allow_privilege_escalation = false
            read_only_root_filesystem  = false
            run_as_non_root            = true
            run_as_user                = local.kuma_uid
            capabilities {
              drop = ["ALL"]
            }
          }

          volume_mount {
            name       = "data"
            mount_path = "/app/data"
          }
        }

        volume {
          name = "data"
          persistent_volume_claim {
            claim_name = kubernetes_persistent_volume_claim_v1.kuma.metadata[0].name
          }
        }
      }
    }
  }
}

resource "kubernetes_service_v1" "kuma" {
  metadata {
    name      = "uptime-kuma"
    namespace = local.monitoring
    labels    = local.kuma_labels
  }
  spec {
    selector = local.kuma_labels
    port {
      name        = "http"
      port        = 80
      target_port = "http"
    }
  }
}

resource "kubernetes_ingress_v1" "kuma" {
  metadata {
    name      = "uptime-kuma"
    namespace = local.monitoring
    labels    = local.kuma_labels
  }
  spec {
    # The class Minikube's ingress add-on registers.
    ingress_class_name = "nginx"
    rule {
      host = "kuma.env"
      http {
        path {
          path      = "/"
          path_type = "Prefix"
          backend {
            service {
              name = kubernetes_service_v1.kuma.metadata[0].name
              port {
                name = "http"
              }
            }
          }
        }
      }
    }
  }
}
