# In a .tfquery.hcl file beside the configuration that declares the provider:
#
#   terraform query
#   terraform query -generate-config-out=generated.tf
list "cloudconnector_api_key" "all" {
  provider = cloudconnector
}
