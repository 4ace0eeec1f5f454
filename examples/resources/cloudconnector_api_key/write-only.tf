# Keep the string out of state and plan: key_wo takes it, even from an
# ephemeral value, and a new key_wo_version applies a new one.
variable "key_string" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "cloudconnector_api_key" "write_only" {
  key_wo         = var.key_string
  key_wo_version = 2 # bump whenever key_string changes
}
