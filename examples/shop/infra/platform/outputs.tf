output "namespaces" {
  description = "The namespaces the platform manages."
  value       = sort([for ns in kubernetes_namespace_v1.this : ns.metadata[0].name])
}

output "db_secret" {
  description = "Name of the Secret, in each stage namespace, that holds the database's libpq settings."
  value       = "shop-db"
}
