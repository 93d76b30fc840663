# The shop application of one stage: the backend (FastAPI, port 8000), the frontend (Apache httpd,
# port 8080, proxying /api to the backend) and the Ingress app.<stage>. The namespace, the
# database and its Secret `shop-db` come from the platform root (../../platform).

locals {
  namespace = var.stage
  host      = "app.${var.stage}"
  # Both images run as this unprivileged uid whatever USER their Dockerfile names: a numeric uid
  # lets the kubelet prove runAsNonRoot, and nothing in either image needs to be owned by it.
  uid = 10001

  backend_labels = {
    "app.kubernetes.io/name"      = "shop-backend"
    "app.kubernetes.io/component" = "backend"
    "app.kubernetes.io/part-of"   = "shop"
  }
  frontend_labels = {
    "app.kubernetes.io/name"      = "shop-frontend"
    "app.kubernetes.io/component" = "frontend"
    "app.kubernetes.io/part-of"   = "shop"
  }

  backend_image  = "docker.io/${var.image_org}/shop-backend:${var.image_tag}"
  frontend_image = "docker.io/${var.image_org}/shop-frontend:${var.image_tag}"

  # The Secret the platform root writes in every stage namespace (libpq's PG* variables).
  db_secret = "shop-db"
}
