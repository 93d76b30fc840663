# The prod stage. terraform_data stands in for the Kubernetes workloads (no provider can be
# downloaded here); the state lives in the kubernetes backend on the loopback API server.
terraform {
  backend "kubernetes" {
    secret_suffix = "prod"
    namespace     = "tfstate"
  }
}

variable "image_tag" {
  type        = string
  description = "The tag of the image to run: the commit SHA it was built from."
  validation {
    condition     = can(regex("^[0-9a-f]{7,40}$", var.image_tag))
    error_message = "image_tag must be a commit SHA."
  }
}

resource "terraform_data" "app" {
  input = {
    image = "docker.io/acme/shop:${var.image_tag}"
  }
}

output "image" {
  value = terraform_data.app.output.image
}
