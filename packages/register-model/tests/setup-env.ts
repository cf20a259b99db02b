// Quiet, readable logs and a complete stage environment; a test that needs another one changes it itself.
process.env.POWERTOOLS_DEV = 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'test';
process.env.AWS_SECRET_ACCESS_KEY = 'test';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.PIPELINE_NAME = 'mlpipe-dev';
process.env.MODEL_REGISTRY_NAME = 'mlpipe-dev';
process.env.S3_EVALUATION_RESULTS_URI = 's3://mlpipe-dev-000000000000-us-east-1/evaluations';
