variable "shared_key" {
  description = "The key string all three organizations share: exactly 12 letters or digits."
  type        = string
  sensitive   = true

  validation {
    condition     = can(regex("^[A-Za-z0-9]{12}$", var.shared_key))
    error_message = "The shared key must be exactly 12 letters or digits."
  }
}

variable "organizations" {
  description = "Each organization's cloud and OneAPI client, keyed emea, amer and apac."
  type = map(object({
    cloud         = string
    vanity_domain = string
    client_id     = string
    client_secret = string
  }))
  sensitive = true

  validation {
    condition     = alltrue([for name in ["emea", "amer", "apac"] : contains(keys(var.organizations), name)])
    error_message = "Give credentials for emea, amer and apac."
  }
}
