import { fromBinary } from '@bufbuild/protobuf';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { ModelProtoSchema } from '../../../shared/platform/generated/onnx/onnx_pb.js';
import { logisticRegressionOnnx, onnxIrVersion } from '../../../shared/serving/onnx-writer.js';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

describe('the ONNX writer', () => {
  const weights = [0.8, -1.25, 0.5];
  const bias = -0.3;
  const bytes = logisticRegressionOnnx({ weights, bias, inputName: 'x', featureCount: 3 });

  it('writes a ModelProto that reads back with its graph, initializers and declared shapes', () => {
    const model = fromBinary(ModelProtoSchema, bytes);
    expect(model.irVersion).toBe(BigInt(onnxIrVersion));
    expect(model.graph?.node.map((n) => n.opType)).toEqual(['MatMul', 'Add', 'Sigmoid']);
    expect(model.graph?.initializer.map((t) => [t.name, t.dims.map(Number)])).toEqual([['weights', [3, 1]], ['bias', [1]]]);
    const input = model.graph?.input[0];
    expect(input?.name).toBe('x');
    const dims = input?.type?.value.case === 'tensorType' ? input.type.value.value.shape?.dim.map((d) => d.value.value) : undefined;
    expect(dims).toEqual(['N', 3n]);
  });

  it('loads in onnxruntime-node and scores as the logistic function of the weights', async () => {
    const session = await InferenceSession.create(bytes);
    expect(session.inputNames).toEqual(['x']);
    expect(session.outputNames).toEqual(['probability']);
    const rows = [
      [1, 2, 3],
      [0, 0, 0],
      [-2, 0.5, 4],
    ];
    const { probability } = await session.run({ x: new Tensor('float32', Float32Array.from(rows.flat()), [3, 3]) });
    const expected = rows.map((row) => sigmoid(row.reduce((sum, value, i) => sum + value * (weights[i] as number), bias)));
    const got = Array.from(probability?.data as Float32Array);
    got.forEach((value, i) => expect(value).toBeCloseTo(expected[i] as number, 5));
    await session.release();
  });

  it('refuses a weight vector that does not match the feature count, and non-finite numbers', () => {
    expect(() => logisticRegressionOnnx({ weights: [1, 2], bias: 0, featureCount: 3 })).toThrow(/featureCount is 3 but there are 2 weights/);
    expect(() => logisticRegressionOnnx({ weights: [], bias: 0 })).toThrow(/at least one weight/);
    expect(() => logisticRegressionOnnx({ weights: [Number.NaN], bias: 0 })).toThrow(/finite/);
  });
});
