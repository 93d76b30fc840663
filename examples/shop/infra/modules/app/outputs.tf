output "url" {
  description = "Where the stage answers (with app.<stage> in /etc/hosts)."
  value       = "http://${local.host}/"
}

output "backend_image" {
  description = "The backend image this stage runs."
  value       = local.backend_image
}
