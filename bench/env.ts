// Imported first by run.ts, before any SDK client or handler logger exists: the SDK's Node
// version notice and the handlers' INFO/WARN logs would drown the progress lines and cost
// time that the benchmarks should not measure.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
