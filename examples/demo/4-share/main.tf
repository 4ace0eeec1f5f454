# Step 4: set the key to a string of your choosing, in place (same ID). Give
# several organizations the same string this way, one provider alias each:
# see examples/multi-org. Step 5 runs this configuration again after someone
# regenerated the key in the portal: the plan shows the drift and sets the
# string back.
terraform {
  required_providers {
    cloudconnector = {
      source = "seed62df8d36/cloudconnector"
    }
  }
}

provider "cloudconnector" {}

variable "shared_key" {
  type        = string
  sensitive   = true
  description = "The key string: exactly 12 letters or digits (TF_VAR_shared_key)."
}

data "cloudconnector_base_url" "this" {}

resource "cloudconnector_api_key" "org" {
  key = var.shared_key
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
