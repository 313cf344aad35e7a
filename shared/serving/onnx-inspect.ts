import { InferenceSession } from 'onnxruntime-node';
import { BadRequestError, type ErrorDetail } from '../platform/errors.js';
import type { Signature } from './definitions.js';

/**
 * What an ONNX file declares, as onnxruntime-node reads it (so a file that loads here is a file
 * serving can run), and how it compares with the signature a version is registered with.
 */
export interface OnnxValue {
  name: string;
  /** onnxruntime's tensor type (`float32`, `int64` ...), or `(not a tensor)`. */
  type: string;
  /** Sizes, symbolic names (`N`), or -1 where the file gives none. */
  shape: Array<number | string>;
}

export interface OnnxDescription {
  inputs: OnnxValue[];
  outputs: OnnxValue[];
}

function describeValues(metadata: readonly InferenceSession.ValueMetadata[]): OnnxValue[] {
  return metadata.map((value) =>
    value.isTensor ? { name: value.name, type: value.type, shape: value.shape.map((d) => (typeof d === 'number' && d < 0 ? -1 : d)) } : { name: value.name, type: '(not a tensor)', shape: [] },
  );
}

/** Loads the file in onnxruntime to read its graph's inputs and outputs: a 400 on `field` when it is not an ONNX model it can run. */
export async function describeOnnx(bytes: Uint8Array, field = 'artifact'): Promise<OnnxDescription> {
  let session: InferenceSession;
  try {
    session = await InferenceSession.create(bytes);
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).slice(0, 500);
    throw new BadRequestError('invalid_onnx', `the artifact is not an ONNX model onnxruntime can load: ${reason}`, [{ field, problem: `is not a loadable ONNX model: ${reason}` }]);
  }
  try {
    return { inputs: describeValues(session.inputMetadata), outputs: describeValues(session.outputMetadata) };
  } finally {
    await session.release();
  }
}

const shapeText = (shape: ReadonlyArray<number | string>) => `[${shape.join(', ')}]`;

/**
 * Every way the signature and the file disagree, each naming the signature's field: input
 * names (every graph input must be fed, and only those), element types, ranks and fixed sizes
 * (the column count of an input included). A dimension the file leaves open accepts any size.
 */
export function signatureMismatches(signature: Signature, onnx: OnnxDescription): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const compare = (field: string, declared: { name: string; type: string; shape: readonly number[] }, actual: OnnxValue, expectedSizes: ReadonlyArray<number | undefined>) => {
    if (declared.type !== actual.type) problems.push({ field: `${field}.type`, problem: `is ${declared.type} but the ONNX ${actual.name} is ${actual.type}` });
    if (declared.shape.length !== actual.shape.length) {
      problems.push({ field: `${field}.shape`, problem: `has rank ${declared.shape.length} but the ONNX ${actual.name} is ${shapeText(actual.shape)}` });
      return;
    }
    actual.shape.forEach((dim, d) => {
      const wanted = expectedSizes[d] ?? declared.shape[d];
      if (typeof dim === 'number' && dim >= 0 && wanted !== undefined && wanted !== -1 && wanted !== dim) {
        problems.push({ field: `${field}.shape[${d}]`, problem: `is ${wanted} but the ONNX ${actual.name} is ${shapeText(actual.shape)}` });
      }
    });
  };
  signature.inputs.forEach((input, i) => {
    const actual = onnx.inputs.find((value) => value.name === input.name);
    if (!actual) problems.push({ field: `signature.inputs[${i}].name`, problem: `"${input.name}" is not an input of the ONNX graph (its inputs: ${onnx.inputs.map((v) => v.name).join(', ')})` });
    else compare(`signature.inputs[${i}]`, input, actual, [undefined, input.columns.length]);
  });
  for (const actual of onnx.inputs) {
    if (!signature.inputs.some((input) => input.name === actual.name)) {
      problems.push({ field: 'signature.inputs', problem: `does not declare the ONNX graph input "${actual.name}" ${actual.type} ${shapeText(actual.shape)}` });
    }
  }
  signature.outputs.forEach((output, i) => {
    const actual = onnx.outputs.find((value) => value.name === output.name);
    if (!actual) problems.push({ field: `signature.outputs[${i}].name`, problem: `"${output.name}" is not an output of the ONNX graph (its outputs: ${onnx.outputs.map((v) => v.name).join(', ')})` });
    else compare(`signature.outputs[${i}]`, output, actual, []);
  });
  return problems;
}
