variable "stage" {
  description = "The stage this instance is: its namespace, and its host app.<stage>."
  type        = string
  validation {
    condition     = contains(["dev", "qa", "prod"], var.stage)
    error_message = "The stage must be dev, qa or prod: the namespaces the platform root manages."
  }
}

variable "image_org" {
  description = "The Docker Hub organisation (or user) the images are pushed to: docker.io/<image_org>/shop-backend."
  type        = string
  validation {
    # Docker Hub's namespace rule: lower-case letters and digits, single separators inside.
    condition     = can(regex("^[a-z0-9]+(?:[._-][a-z0-9]+)*$", var.image_org))
    error_message = "image_org must be a Docker Hub namespace: lower-case letters and digits, with single '.', '_' or '-' between them."
  }
}

variable "image_tag" {
  description = "The tag both images run (the stage root validates it: a commit SHA or a SemVer version)."
  type        = string
}

variable "replicas" {
  description = "Pods of the frontend and of the backend each."
  type        = number
  default     = 1
  validation {
    condition     = var.replicas >= 1 && var.replicas <= 10 && floor(var.replicas) == var.replicas
    error_message = "replicas must be a whole number from 1 to 10."
  }
}

variable "ingress_namespace" {
  description = "Namespace of the ingress controller (Minikube's ingress add-on: ingress-nginx); NetworkPolicies let it reach the frontend."
  type        = string
  default     = "ingress-nginx"
}

variable "monitoring_namespace" {
  description = "Namespace of Uptime Kuma, which may probe the backend's /readyz directly."
  type        = string
  default     = "monitoring"
}
