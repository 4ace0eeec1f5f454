# Read the current key for this run only, and hand it to a write-only argument
# of another resource: here a secret version in AWS Secrets Manager.
ephemeral "cloudconnector_api_key" "current" {}

resource "aws_secretsmanager_secret_version" "ztc_api_key" {
  secret_id                = aws_secretsmanager_secret.ztc_api_key.id
  secret_string_wo         = ephemeral.cloudconnector_api_key.current.key
  secret_string_wo_version = 1
}

resource "aws_secretsmanager_secret" "ztc_api_key" {
  name = "zscaler/cloud-connector/api-key"
}
