# Step 1: read the API base URL. No API call: the URL follows from the cloud
# and the login mode (or from ZTC_BASE_URL, as with the demo's simulator).
terraform {
  required_providers {
    cloudconnector = {
      source = "seed62df8d36/cloudconnector"
    }
  }
}

# Credentials come from the environment: ZTC_USERNAME, ZTC_PASSWORD and
# ZTC_API_KEY (legacy login) or ZSCALER_CLIENT_ID and friends (OneAPI).
provider "cloudconnector" {}

data "cloudconnector_base_url" "this" {}

output "base_url" {
  value = data.cloudconnector_base_url.this.url
}

output "auth_mode" {
  value = data.cloudconnector_base_url.this.auth_mode
}
