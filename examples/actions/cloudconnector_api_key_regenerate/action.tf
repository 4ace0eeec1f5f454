# Declared once, invoked only on demand:
#
#   terraform apply -invoke=action.cloudconnector_api_key_regenerate.now
#
# A plain plan or apply never runs it.
action "cloudconnector_api_key_regenerate" "now" {}
