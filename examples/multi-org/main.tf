# Three organizations, one key string: each organization's key is edited in
# place to the same string, through one provider alias per organization.
#
# On the first apply each resource takes its organization's key over and
# edits it to var.shared_key (the plan shows each key's ID); whatever used the
# old strings stops working. Changing var.shared_key later edits all three in
# place. The providers log in with OneAPI, so editing the key never touches
# their own credentials (see the guide on legacy login).
terraform {
  required_providers {
    cloudconnector = {
      source = "seed62df8d36/cloudconnector"
    }
  }
}

provider "cloudconnector" {
  alias         = "emea"
  cloud         = var.organizations["emea"].cloud
  vanity_domain = var.organizations["emea"].vanity_domain
  client_id     = var.organizations["emea"].client_id
  client_secret = var.organizations["emea"].client_secret
}

provider "cloudconnector" {
  alias         = "amer"
  cloud         = var.organizations["amer"].cloud
  vanity_domain = var.organizations["amer"].vanity_domain
  client_id     = var.organizations["amer"].client_id
  client_secret = var.organizations["amer"].client_secret
}

provider "cloudconnector" {
  alias         = "apac"
  cloud         = var.organizations["apac"].cloud
  vanity_domain = var.organizations["apac"].vanity_domain
  client_id     = var.organizations["apac"].client_id
  client_secret = var.organizations["apac"].client_secret
}

resource "cloudconnector_api_key" "emea" {
  provider = cloudconnector.emea
  key      = var.shared_key
}

resource "cloudconnector_api_key" "amer" {
  provider = cloudconnector.amer
  key      = var.shared_key
}

resource "cloudconnector_api_key" "apac" {
  provider = cloudconnector.apac
  key      = var.shared_key
}

# Who changed each key last, and when: no string, and nothing derived from it.
output "last_modified" {
  value = {
    emea = cloudconnector_api_key.emea.last_modified_time
    amer = cloudconnector_api_key.amer.last_modified_time
    apac = cloudconnector_api_key.apac.last_modified_time
  }
}
