variable "stages" {
  description = "The application stages, one namespace and one database each."
  type        = set(string)
  default     = ["dev", "qa", "prod"]
}

variable "db_storage" {
  description = "Size of each stage's database volume."
  type        = map(string)
  default = {
    dev  = "1Gi"
    qa   = "1Gi"
    prod = "5Gi"
  }
}

variable "ingress_namespace" {
  description = "Namespace of the ingress controller (Minikube's ingress add-on installs it in ingress-nginx); NetworkPolicies let it in."
  type        = string
  default     = "ingress-nginx"
}
