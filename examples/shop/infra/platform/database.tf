# One PostgreSQL per stage, reachable only from that stage's backend. Its credentials are made
# here and handed to the backend through the Secret `shop-db`: they are in no code, no image and
# no workflow, only in this root's state (a Secret in `tfstate`) and in the stage's namespace.

locals {
  db_name = "shop"
  db_user = "shop"
  # The database's own account runs as this unprivileged uid (the postgres image supports an
  # arbitrary uid; its data directory is created by and for it).
  db_uid = 10001
  db_labels = {
    "app.kubernetes.io/name"      = "postgres"
    "app.kubernetes.io/component" = "database"
    "app.kubernetes.io/part-of"   = "shop"
  }
}

# Generated once per stage and never rotated by Terraform: PostgreSQL reads POSTGRES_PASSWORD
# only when it initialises an empty volume, so a new value here would lock the backend out.
# Rotate with ALTER ROLE and then `terraform apply -replace` on this resource.
resource "random_password" "db" {
  for_each = var.stages

  length  = 32
  special = false # travels in a libpq environment variable; letters and digits need no quoting
}

resource "kubernetes_secret_v1" "db" {
  for_each = var.stages

  metadata {
    name      = "shop-db"
    namespace = kubernetes_namespace_v1.this[each.value].metadata[0].name
    labels    = local.db_labels
  }

  # libpq's own variable names: the backend, psql and pg_isready read them as they are.
  data = {
    PGHOST     = kubernetes_service_v1.db[each.value].metadata[0].name
    PGPORT     = "5432"
    PGDATABASE = local.db_name
    PGUSER     = local.db_user
    PGPASSWORD = random_password.db[each.value].result
  }
}

resource "kubernetes_service_v1" "db" {
  for_each = var.stages

  metadata {
    name      = "postgres"
    namespace = kubernetes_namespace_v1.this[each.value].metadata[0].name
    labels    = local.db_labels
  }

  spec {
    selector = local.db_labels
    port {
      name        = "postgres"
      port        = 5432
      target_port = "postgres"
    }
  }
}

resource "kubernetes_stateful_set_v1" "db" {
  for_each = var.stages

  metadata {
    name      = "postgres"
    namespace = kubernetes_namespace_v1.this[each.value].metadata[0].name
    labels    = local.db_labels
  }

  spec {
    service_name = kubernetes_service_v1.db[each.value].metadata[0].name
    replicas     = 1

    selector {
      match_labels = local.db_labels
    }

    template {
      metadata {
        labels = local.db_labels
      }

      spec {
        automount_service_account_token = false

        security_context {
          run_as_non_root = true
          run_as_user     = local.db_uid
          run_as_group    = local.db_uid
          fs_group        = local.db_uid
          seccomp_profile {
            type = "RuntimeDefault"
          }
        }

        container {
          # Pinned by version tag. A digest would pin it harder; none could be looked up offline
          # where this was written: add one in your copy (docker buildx imagetools inspect).
          name              = "postgres"
          image             = "docker.io/library/postgres:16.4"
          image_pull_policy = "Always"

          port {
            name           = "postgres"
            container_port = 5432
          }

          env {
            name  = "POSTGRES_DB"
            value = local.db_name
          }
          env {
            name  = "POSTGRES_USER"
            value = local.db_user
          }
          env {
            # By reference to the Secret: the image reads the first password from this variable.
            name = "POSTGRES_PASSWORD"
            value_from {
              secret_key_ref {
                name = kubernetes_secret_v1.db[each.value].metadata[0].name
                key  = "PGPASSWORD"
              }
            }
          }
          env {
            # A subdirectory: the volume's root holds lost+found, and initdb wants an empty directory.
            name  = "PGDATA"
            value = "/var/lib/postgresql/data/pgdata"
          }

          resources {
            requests = {
              cpu    = "100m"
              memory = "256Mi"
            }
            limits = {
              cpu    = "1"
              memory = "512Mi"
            }
          }

          readiness_probe {
            exec {
              command = ["pg_isready", "--host=127.0.0.1", "--username=${local.db_user}", "--dbname=${local.db_name}"]
            }
            period_seconds = 5
          }
          liveness_probe {
            exec {
              command = ["pg_isready", "--host=127.0.0.1", "--username=${local.db_user}", "--dbname=${local.db_name}"]
            }
            initial_delay_seconds = 30
            period_seconds        = 10
          }

          security_context {
            allow_privilege_escalation = false
            read_only_root_filesystem  = true
            run_as_non_root            = true
            run_as_user                = local.db_uid
            capabilities {
              drop = ["ALL"]
            }
          }

          volume_mount {
            name       = "data"
            mount_path = "/var/lib/postgresql/data"
          }
          # The only other places PostgreSQL writes: its socket directory and /tmp.
          volume_mount {
            name       = "run"
            mount_path = "/var/run/postgresql"
          }
          volume_mount {
            name       = "tmp"
            mount_path = "/tmp"
          }
        }

        volume {
          name = "run"
          empty_dir {
            medium = "Memory"
          }
        }
        volume {
          name = "tmp"
          empty_dir {}
        }
      }
    }

    # The volume outlives the StatefulSet: deleting the database's pods never deletes its data.
    volume_claim_template {
      metadata {
        name = "data"
      }
      spec {
        access_modes = ["ReadWriteOnce"]
        resources {
          requests = {
            storage = var.db_storage[each.value]
          }
        }
      }
    }
  }
}
