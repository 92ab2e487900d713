/**
 * The CDK app (`npx cdk synth`, `npx cdk deploy`). Context: `pods` (the SDR pods that get an
 * outbound queue, default ["default"]) and `tracing` (true: X-Ray on every function).
 */
import { buildPipelineApp } from './pipeline-app';

const { app } = buildPipelineApp();
app.synth();
