terraform {
  required_providers {
    cloudconnector = {
      source = "seed62df8d36/cloudconnector"
    }
  }
}

# OneAPI login through ZIdentity, with the variables of Zscaler's own providers:
# ZSCALER_CLIENT_ID, ZSCALER_CLIENT_SECRET (or ZSCALER_PRIVATE_KEY) and ZSCALER_VANITY_DOMAIN.
# Recommended: it does not depend on the key this provider manages.
provider "cloudconnector" {
  cloud         = "zscalertwo"
  client_id     = var.zscaler_client_id
  client_secret = var.zscaler_client_secret
  vanity_domain = "acme"
}

# Legacy login: the admin's username and password, and the organization's API key.
# Leave the arguments out to read ZTC_USERNAME, ZTC_PASSWORD and ZTC_API_KEY instead.
provider "cloudconnector" {
  alias    = "legacy"
  cloud    = "zscalertwo"
  username = var.ztc_username
  password = var.ztc_password
  api_key  = var.ztc_api_key
}

variable "zscaler_client_id" { type = string }
variable "zscaler_client_secret" {
  type      = string
  sensitive = true
}
variable "ztc_username" { type = string }
variable "ztc_password" {
  type      = string
  sensitive = true
}
variable "ztc_api_key" {
  type      = string
  sensitive = true
}
