# The platform root (namespaces, databases, monitoring in a real cluster); terraform_data stands
# in for them here.
terraform {
  backend "kubernetes" {
    secret_suffix = "platform"
    namespace     = "tfstate"
  }
}

resource "terraform_data" "namespaces" {
  input = ["dev", "qa", "prod", "monitoring"]
}
