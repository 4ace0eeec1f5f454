# Step 3: hand the key to another resource without Terraform storing it for
# this provider: the ephemeral resource reads it for this run only.
#
# The receiving side here is a stand-in. A secrets manager's write-only
# argument (aws_secretsmanager_secret_version.secret_string_wo, say) would
# take the string and keep it out of state; the demo cannot download such a
# provider, so `make demo` builds terraform-plugin-testing's "echo" provider
# and serves it through dev_overrides instead. Unlike a write-only argument,
# echo DOES keep what it is handed, in its own resource's state.
terraform {
  required_providers {
    cloudconnector = {
      source = "seed62df8d36/cloudconnector"
    }
    # Not in any registry: `make demo` builds it (internal/demo/terraform-provider-echo).
    echo = {
      source = "hashicorp/echo"
    }
  }
}

provider "cloudconnector" {}

data "cloudconnector_base_url" "this" {}

# The key adopted in step 2, left as it is.
resource "cloudconnector_api_key" "org" {}

# Opened at plan and at apply; it only reads, never regenerates.
ephemeral "cloudconnector_api_key" "current" {}

provider "echo" {
  data = ephemeral.cloudconnector_api_key.current.key
}

# The stand-in for a secret version with a write-only argument.
resource "echo" "secret_store" {}

output "base_url" {
  value = data.cloudconnector_base_url.this.url
}

output "auth_mode" {
  value = data.cloudconnector_base_url.this.auth_mode
}

output "key_id" {
  value = cloudconnector_api_key.org.id
}
