# Adopt the organization's current key unchanged, from configuration.
import {
  to = cloudconnector_api_key.this
  id = "current"
}
