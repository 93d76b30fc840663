# The frontend: static pages served by Apache httpd, which proxies /api to the backend Service.

resource "kubernetes_deployment_v1" "frontend" {
  #checkov:skip=CKV_K8S_43:the tag is the immutable commit SHA the pipeline built and the action ties releases to; deploying by digest would need the digest passed from the build
  metadata {
    name      = "frontend"
    namespace = local.namespace
    labels    = local.frontend_labels
  }

  spec {
    replicas = var.replicas

    selector {
      match_labels = local.frontend_labels
    }

    template {
      metadata {
        labels = local.frontend_labels
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

        container {
          name              = "frontend"
          image             = local.frontend_image
          image_pull_policy = "Always"

          port {
            name           = "http"
            container_port = 8080
          }

          env {
            # Where httpd's configuration sends /api (it reads ${BACKEND_URL}).
            name  = "BACKEND_URL"
            value = "http://${kubernetes_service_v1.backend.metadata[0].name}:8000"
          }

          resources {
            requests = {
              cpu    = "50m"
              memory = "32Mi"
            }
            limits = {
              cpu    = "250m"
              memory = "128Mi"
            }
          }

          # The static page itself, not the proxied /healthz: a backend outage must not restart
          # httpd, which would then still have nothing to proxy to.
          readiness_probe {
            http_get {
              path = "/"
              port = "http"
            }
            period_seconds = 5
          }
          liveness_probe {
            http_get {
              path = "/"
              port = "http"
            }
            initial_delay_seconds = 5
            period_seconds        = 10
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

          # httpd writes its pid file under logs/ (its logs go to stdout and stderr) and may
          # buffer large requests in /tmp.
          volume_mount {
            name       = "httpd-logs"
            mount_path = "/usr/local/apache2/logs"
          }
          volume_mount {
            name       = "tmp"
            mount_path = "/tmp"
          }
        }

        volume {
          name = "httpd-logs"
          empty_dir {}
        }
        volume {
          name = "tmp"
          empty_dir {}
        }
      }
    }
  }
}

resource "kubernetes_service_v1" "frontend" {
  metadata {
    name      = "frontend"
    namespace = local.namespace
    labels    = local.frontend_labels
  }
  spec {
    selector = local.frontend_labels
    port {
      name        = "http"
      port        = 80
      target_port = "http"
    }
  }
}

resource "kubernetes_ingress_v1" "app" {
  metadata {
    name      = "shop"
    namespace = local.namespace
    labels    = local.frontend_labels
  }
  spec {
    # The class Minikube's ingress add-on registers.
    ingress_class_name = "nginx"
    rule {
      host = local.host
      http {
        path {
          path      = "/"
          path_type = "Prefix"
          backend {
            service {
              name = kubernetes_service_v1.frontend.metadata[0].name
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
