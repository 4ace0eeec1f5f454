# The API base URL this provider calls, to hand to tools that call the API themselves.
data "cloudconnector_base_url" "this" {}

# Another cloud's URL, for the provider's login mode.
data "cloudconnector_base_url" "beta" {
  cloud = "zscalerbeta"
}

output "api_base_url" {
  value = data.cloudconnector_base_url.this.url
}
