# Step 2: adopt the key the organization already has, unchanged. A resource
# with none of key, key_wo and regenerate_triggers takes the key over as it
# is: no write, and no import block needed.
terraform {
  required_providers {
    cloudconnector = {
      source = "seed62df8d36/cloudconnector"
    }
  }
}

provider "cloudconnector" {}

data "cloudconnector_base_url" "this" {}

resource "cloudconnector_api_key" "org" {}

output "base_url" {
  value = data.cloudconnector_base_url.this.url
}

output "auth_mode" {
  value = data.cloudconnector_base_url.this.auth_mode
}

output "key_id" {
  value = cloudconnector_api_key.org.id
}
