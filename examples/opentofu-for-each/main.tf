# OpenTofu only (provider for_each, OpenTofu 1.9 and newer): every
# organization in var.organizations gets its own provider configuration and
# its own cloudconnector_api_key, and every key is edited in place to one
# shared string. Adding an organization to the map is all it takes to manage
# one more; the others are left alone.
#
# To stop managing an organization, list it in var.retired_organizations
# first and apply: its resource leaves (the key stays, delete_on_destroy being
# false) while its provider instance still exists to do that. Then remove it
# from both variables. Removing it from var.organizations at once would take
# the provider instance away before the resource is gone, which OpenTofu
# refuses; giving the resources and the providers separate for_each
# expressions, as here, is what OpenTofu recommends.
#
# The providers log in with OneAPI, so editing the key never touches their own
# credentials. On the first apply each resource takes its organization's key
# over and sets it to var.shared_key: whatever used the old strings stops
# working.
terraform {
  required_providers {
    cloudconnector = {
      source = "seed62df8d36/cloudconnector"
    }
  }
}

provider "cloudconnector" {
  alias    = "by_org"
  for_each = var.organizations

  cloud         = each.value.cloud
  base_url      = each.value.base_url
  vanity_domain = each.value.vanity_domain
  token_url     = each.value.token_url
  client_id     = each.value.client_id
  client_secret = var.client_secrets[each.key]
}

resource "cloudconnector_api_key" "this" {
  for_each = { for name, org in var.organizations : name => org if !contains(var.retired_organizations, name) }
  provider = cloudconnector.by_org[each.key]

  key = var.shared_key
}

output "key_ids" {
  description = "Each organization's key ID."
  value       = { for name, k in cloudconnector_api_key.this : name => k.id }
}
