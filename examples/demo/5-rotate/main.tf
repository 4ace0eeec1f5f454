# Steps 6 and 7: rotate. Adding regenerate_triggers to a key that had none is
# an in-place update with no API call (step 6: the key is scheduled, not
# rotated); from then on a new value replaces the resource, and the
# replacement regenerates the key: one call, same ID, a string nobody else
# knows (step 7). In real use the trigger comes from time_rotating
# (hashicorp/time; see the scheduled rotation guide); the demo cannot
# download that provider, so a variable stands in for it.
terraform {
  required_providers {
    cloudconnector = {
      source = "seed62df8d36/cloudconnector"
    }
  }
}

provider "cloudconnector" {}

variable "rotation" {
  type        = string
  description = "Any new value rotates the key (TF_VAR_rotation)."
}

data "cloudconnector_base_url" "this" {}

resource "cloudconnector_api_key" "org" {
  regenerate_triggers = {
    rotation = var.rotation
  }
}

output "base_url" {
  value = data.cloudconnector_base_url.this.url
}

output "auth_mode" {
  value = data.cloudconnector_base_url.this.auth_mode
}

output "key_id" {
  value = cloudconnector_api_key.org.id
}
