terraform {
  required_providers {
    cloudconnector = {
      source = "seed62df8d36/cloudconnector"
    }
  }
}

# No provider configuration needed: the URL follows from the cloud.
output "legacy_url" {
  value = provider::cloudconnector::base_url("zscalertwo") # https://connector.zscalertwo.net/api/v1
}

output "oneapi_url" {
  value = provider::cloudconnector::base_url("zscalertwo", "oneapi") # https://api.zscalertwo.zsapi.net/ztw/api/v1
}
