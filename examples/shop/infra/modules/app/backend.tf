# The backend. Its address in a stage root's state, module.app.kubernetes_deployment_v1.backend
# (container "backend"), is what .github/stages.yml points the action at: the image this stage runs.

resource "kubernetes_deployment_v1" "backend" {
  #checkov:skip=CKV_K8S_35:the app reads libpq's PG* variables (the 12-factor convention the app follows); they come from the Secret by reference, no value is in this code
  #checkov:skip=CKV_K8S_43:the tag is the immutable commit SHA the pipeline built and the action ties releases to; deploying by digest would need the digest passed from the build
  metadata {
    name      = "backend"
    namespace = local.namespace
    labels    = local.backend_labels
  }

  spec {
    replicas = var.replicas

    selector {
      match_labels = local.backend_labels
    }

    template {
      metadata {
        labels = local.backend_labels
      }

      spec {
        automount_service_account_token = false

        security_context {
          run_as_non_root = true
          run_as_user     = local.uid
          run_as_group    = local.uid
          seccomp_profile {
            type = "RuntimeDefault"
          }
        }

        # Migrations run once per new pod, before the app starts: idempotent and tracked in a
        # table by the app, so a rollout of several replicas applies each migration once.
        init_container {
          name              = "migrate"
          image             = local.backend_image
          image_pull_policy = "Always"
          command           = ["python", "-m", "app.migrate"]

          env_from {
            secret_ref {
              name = local.db_secret
            }
          }

          resources {
            requests = {
              cpu    = "50m"
              memory = "64Mi"
            }
            limits = {
              cpu    = "500m"
              memory = "256Mi"
            }
          }

          security_context {
            allow_privilege_escalation = false
            read_only_root_filesystem  = true
            run_as_non_root            = true
            run_as_user                = local.uid
            capabilities {
              drop = ["ALL"]
            }
          }

          volume_mount {
            name       = "tmp"
            mount_path = "/tmp"
          }
        }

        container {
          name              = "backend"
          image             = local.backend_image
          image_pull_policy = "Always"

          port {
            name           = "http"
            container_port = 8000
          }

          env_from {
            secret_ref {
              name = local.db_secret
            }
          }
          env {
            # The root filesystem is read-only: no .pyc files to write.
            name  = "PYTHONDONTWRITEBYTECODE"
            value = "1"
          }

          resources {
            requests = {
              cpu    = "100m"
              memory = "128Mi"
            }
            limits = {
              cpu    = "500m"
              memory = "256Mi"
            }
          }

          # Ready when the database answers; alive as long as the process does. A database
          # outage takes the pods out of the Service without restarting them.
          readiness_probe {
            http_get {
              path = "/readyz"
              port = "http"
            }
            period_seconds  = 5
            timeout_seconds = 3
          }
          liveness_probe {
            http_get {
              path = "/healthz"
              port = "http"
            }
            initial_delay_seconds = 10
            period_seconds        = 10
            timeout_seconds       = 3
          }

          security_context {
            allow_privilege_escalation = false
            read_only_root_filesystem  = true
            run_as_non_root            = true
            run_as_user                = local.uid
            capabilities {
              drop = ["ALL"]
            }
          }

          volume_mount {
            name       = "tmp"
            mount_path = "/tmp"
          }
        }

        volume {
          name = "tmp"
          empty_dir {}
        }
      }
    }
  }
}

# Named `backend`: the frontend's httpd proxies /api to http://backend:8000.
resource "kubernetes_service_v1" "backend" {
  metadata {
    name      = "backend"
    namespace = local.namespace
    labels    = local.backend_labels
  }
  spec {
    selector = local.backend_labels
    port {
      name        = "http"
      port        = 8000
      target_port = "http"
    }
  }
}
