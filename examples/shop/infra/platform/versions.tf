# The platform root: what every stage shares and what outlives a deploy (namespaces, the
# databases and their credentials, monitoring). Applied by the `platform` environment's workflow,
# rarely; the stage roots (../stages/*) deploy the application on top of it.
terraform {
  # 1.7: `import` blocks with for_each (namespaces.tf adopts the namespaces the bootstrap made).
  required_version = ">= 1.7.0, < 2.0.0"

  required_providers {
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "~> 2.36.0"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6.3"
    }
  }

  # State (which holds the generated database passwords) lives in the cluster, in the namespace
  # only the terraform user may read. Credentials come from KUBE_HOST, KUBE_CLIENT_CERT_DATA,
  # KUBE_CLIENT_KEY_DATA and KUBE_CLUSTER_CA_CERT_DATA, never from this file.
  backend "kubernetes" {
    secret_suffix = "platform"
    namespace     = "tfstate"
  }
}

# Configured entirely by the same KUBE_* environment variables as the backend.
provider "kubernetes" {}
