# Adopt the organization's key as it is: no API write. Afterwards the
# sensitive `key` attribute holds its string.
resource "cloudconnector_api_key" "this" {}

output "api_key" {
  value     = cloudconnector_api_key.this.key
  sensitive = true
}
