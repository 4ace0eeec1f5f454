# Steps 9 and 10: the shared string again, this time kept out of plan and
# state. key_wo is a write-only argument: Terraform hands it to the provider
# at apply and stores nothing of it, and a new key_wo_version applies it
# again. The state holds the key's ID and no string. delete_on_destroy = true
# makes the destroy of step 10 delete the key at the API.
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
  ephemeral   = true
  description = "The key string: exactly 12 letters or digits (TF_VAR_shared_key)."
}

data "cloudconnector_base_url" "this" {}

resource "cloudconnector_api_key" "org" {
  key_wo            = var.shared_key
  key_wo_version    = 1
  delete_on_destroy = true
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
