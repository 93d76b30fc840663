# The qa stage: the shop application (../../modules/app) in the namespace qa, at http://app.qa/.
# Deployed with: terraform -chdir=infra/stages/qa apply -var image_tag=<commit SHA>
terraform {
  required_version = ">= 1.7.0, < 2.0.0"

  required_providers {
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "~> 2.36.0"
    }
  }

  # Secret tfstate-default-shop-qa (and its lock, Lease lock-tfstate-default-shop-qa) in the
  # namespace tfstate. The suffix names the stage: three roots sharing one suffix would share one
  # state, and each apply would tear down the other stages. Credentials come from KUBE_HOST,
  # KUBE_CLIENT_CERT_DATA, KUBE_CLIENT_KEY_DATA and KUBE_CLUSTER_CA_CERT_DATA.
  backend "kubernetes" {
    secret_suffix = "shop-qa"
    namespace     = "tfstate"
  }
}

# Configured entirely by the same KUBE_* environment variables as the backend.
provider "kubernetes" {}

module "app" {
  source = "../../modules/app"

  stage     = "qa"
  image_org = var.image_org
  image_tag = var.image_tag
  replicas  = 1 # a tester at a time
}

output "url" {
  value = module.app.url
}

output "image" {
  description = "The backend image this stage runs (the action reads the Deployment itself)."
  value       = module.app.backend_image
}
