# Step 2: adopt the key the organization already has, unchanged. Without the
# import block, creating the resource would regenerate the key.
terraform {
  required_providers {
    cloudconnector = {
      source = "seed62df8d36/cloudconnector"
    }
  }
}

provider "cloudconnector" {}

data "cloudconnector_base_url" "this" {}

import {
  to = cloudconnector_api_key.org
  id = "current"
}

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
