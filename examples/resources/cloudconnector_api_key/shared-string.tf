# One key string shared by several organizations: each provider alias logs in
# to one organization, and each resource edits that organization's key in place.
variable "shared_key" {
  type      = string
  sensitive = true # exactly 12 letters or digits
}

provider "cloudconnector" {
  alias = "emea"
}

provider "cloudconnector" {
  alias = "amer"
}

resource "cloudconnector_api_key" "emea" {
  provider = cloudconnector.emea
  key      = var.shared_key
}

resource "cloudconnector_api_key" "amer" {
  provider = cloudconnector.amer
  key      = var.shared_key
}
