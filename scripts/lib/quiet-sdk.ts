// Imported first by the operator scripts that build SDK clients, before any exists: the SDK's
// notice that its 2027 releases need Node 22 is noise here (the Lambdas run Node 22 already).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
