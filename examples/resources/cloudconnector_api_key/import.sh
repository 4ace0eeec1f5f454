# Adopt whatever key the organization has, unchanged:
terraform import cloudconnector_api_key.this current

# Or name the key by its ID (Administration > API Key Management shows it):
terraform import cloudconnector_api_key.this 1234
