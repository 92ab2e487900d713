// Imported first by run.ts, before any SDK client or handler logger exists: the SDK's Node
// version notice would drown the progress lines. The handlers log at the level they are
// deployed with (INFO) and the rollup writes its metrics line, as in AWS: the usage counter
// (bench/usage-counter.ts) counts those lines' bytes for the cost model and keeps them off
// the output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
process.env.POWERTOOLS_METRICS_DISABLED = 'false';
