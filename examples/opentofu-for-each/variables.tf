variable "organizations" {
  description = "Each organization's cloud and OneAPI client, keyed by a name of your choice. The keys become provider instances, so they must be known before any apply (no secrets here: see client_secrets)."
  type = map(object({
    cloud         = optional(string)
    vanity_domain = optional(string)
    client_id     = string
    # For private endpoints (and the local simulator): override the URLs that
    # cloud and vanity_domain give.
    base_url  = optional(string)
    token_url = optional(string)
  }))
}

variable "retired_organizations" {
  description = "Names from var.organizations whose key this configuration no longer manages: listed here first, then removed from both variables in a later apply."
  type        = set(string)
  default     = []
}

variable "client_secrets" {
  description = "Each organization's OneAPI client secret, keyed as var.organizations. Kept apart, because OpenTofu cannot expand for_each over a sensitive value."
  type        = map(string)
  sensitive   = true

  validation {
    condition     = alltrue([for name in keys(var.organizations) : contains(keys(var.client_secrets), name)])
    error_message = "Give a client secret for every organization in var.organizations."
  }
}

variable "shared_key" {
  description = "The key string every organization shares: exactly 12 letters or digits."
  type        = string
  sensitive   = true

  validation {
    condition     = can(regex("^[A-Za-z0-9]{12}$", var.shared_key))
    error_message = "The shared key must be exactly 12 letters or digits."
  }
}
