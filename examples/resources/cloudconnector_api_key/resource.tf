# Take over the organization's key and regenerate it: afterwards only this
# state knows the string (read it from the sensitive `key` attribute).
resource "cloudconnector_api_key" "this" {}

output "api_key" {
  value     = cloudconnector_api_key.this.key
  sensitive = true
}
