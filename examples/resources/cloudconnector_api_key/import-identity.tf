# Terraform 1.12 and newer (OpenTofu too): import by the resource identity,
# the key's ID as the admin portal shows it (or "current").
import {
  to = cloudconnector_api_key.adopted
  identity = {
    id = "1234"
  }
}

resource "cloudconnector_api_key" "adopted" {}
