# Rotate every 90 days: when the trigger changes from one value to the next,
# the resource is replaced and the key regenerated (one regenerate call, same
# ID; the organization is never without a key). On a key adopted earlier,
# adding the triggers changes nothing at the API. Needs hashicorp/time.
resource "time_rotating" "api_key" {
  rotation_days = 90
}

resource "cloudconnector_api_key" "rotated" {
  regenerate_triggers = {
    rotation = time_rotating.api_key.id
  }
}
