# Rotate every 90 days: a new trigger value replaces the resource, and the
# replacement regenerates the key (one regenerate call; the organization is
# never without a key). Needs the hashicorp/time provider.
resource "time_rotating" "api_key" {
  rotation_days = 90
}

resource "cloudconnector_api_key" "rotated" {
  regenerate_triggers = {
    rotation = time_rotating.api_key.id
  }
}
