/**
 * node dist/tools/onnx-logistic.js --weights=0.25,-0.01 --bias=-1 [--input=features] [--output=probability] > model.onnx
 *
 * Writes a logistic-regression ONNX file (probability = sigmoid(x · weights + bias), input
 * float32 [N, len(weights)], output float32 [N, 1]) to stdout with Arbor's ONNX writer, for
 * trying serving without a training framework (README "Serving a model").
 */
import { parseArgs } from 'node:util';
import { logisticRegressionOnnx } from '../shared/serving/onnx-writer.js';

const { values } = parseArgs({
  options: {
    weights: { type: 'string' },
    bias: { type: 'string', default: '0' },
    input: { type: 'string', default: 'features' },
    output: { type: 'string', default: 'probability' },
  },
});
const weights = (values.weights ?? '').split(',').filter(Boolean).map(Number);
const bias = Number(values.bias);
if (weights.length === 0 || !weights.every(Number.isFinite) || !Number.isFinite(bias)) {
  process.stderr.write('usage: onnx-logistic --weights w1,w2,... [--bias b] [--input name] [--output name] > model.onnx\n');
  process.exit(2);
}
process.stdout.write(logisticRegressionOnnx({ weights, bias, inputName: values.input, outputName: values.output }));
