import { create, toBinary } from '@bufbuild/protobuf';
import {
  AttributeProto_AttributeType,
  AttributeProtoSchema,
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  StringStringEntryProtoSchema,
  TensorProto_DataType,
  TensorProtoSchema,
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  ValueInfoProtoSchema,
  type AttributeProto,
  type GraphProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from '../platform/generated/onnx/onnx_pb.js';

/**
 * Writes ONNX files from the generated onnx.proto messages (proto/onnx/onnx.proto): small
 * builders for tensors, value infos, nodes and attributes, and whole models on top of them.
 * Training writes what it fits with `logisticRegressionOnnx`; other model kinds compose the
 * builders (`onnxModel({ nodes, initializers, inputs, outputs })`).
 *
 * IR version 8 with opset 13 of ai.onnx: every runtime since onnxruntime 1.10 reads it, and so
 * does Debian's python3-onnx (1.12), which a test uses as an outside check.
 */
export const onnxIrVersion = 8;
export const onnxOpsetVersion = 13;

/** One dimension of a declared shape: a size, or a symbolic name such as `N` for the batch. */
export type OnnxDimension = number | string;

export const OnnxDataType = TensorProto_DataType;

/** A float32 constant (an initializer): values in row-major order, as many as the dims multiply to. */
export function floatTensor(name: string, dims: readonly number[], values: readonly number[]): TensorProto {
  const size = dims.reduce((product, dim) => product * dim, 1);
  if (values.length !== size) throw new RangeError(`tensor ${name}: ${values.length} values for dims [${dims.join(', ')}] (${size})`);
  return create(TensorProtoSchema, {
    name,
    dims: dims.map((dim) => BigInt(dim)),
    dataType: TensorProto_DataType.FLOAT,
    // raw_data is little-endian; Float32Array is in the machine's order, which Node's platforms share.
    rawData: new Uint8Array(Float32Array.from(values).buffer),
  });
}

/** A graph input or output: a tensor of `elemType` with `shape`. */
export function tensorValueInfo(name: string, elemType: TensorProto_DataType, shape: readonly OnnxDimension[]): ValueInfoProto {
  return create(ValueInfoProtoSchema, {
    name,
    type: create(TypeProtoSchema, {
      value: {
        case: 'tensorType',
        value: create(TypeProto_TensorSchema, {
          elemType,
          shape: create(TensorShapeProtoSchema, {
            dim: shape.map((dim) =>
              create(TensorShapeProto_DimensionSchema, {
                value: typeof dim === 'number' ? { case: 'dimValue', value: BigInt(dim) } : { case: 'dimParam', value: dim },
              }),
            ),
          }),
        }),
      },
    }),
  });
}

/** A node attribute: a number is an INT when integral and `float` is not asked for, else a FLOAT. */
export function attribute(name: string, value: number | string | readonly number[], options: { float?: boolean } = {}): AttributeProto {
  if (typeof value === 'string') return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.STRING, s: new TextEncoder().encode(value) });
  if (typeof value === 'number') {
    return Number.isInteger(value) && !options.float
      ? create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.INT, i: BigInt(value) })
      : create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.FLOAT, f: value });
  }
  return options.float || value.some((v) => !Number.isInteger(v))
    ? create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.FLOATS, floats: [...value] })
    : create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.INTS, ints: value.map((v) => BigInt(v)) });
}

/** One operator call of the default domain (ai.onnx) unless `domain` says otherwise (`ai.onnx.ml`). */
export function node(opType: string, inputs: readonly string[], outputs: readonly string[], options: { name?: string; attributes?: readonly AttributeProto[]; domain?: string } = {}): NodeProto {
  return create(NodeProtoSchema, {
    opType,
    input: [...inputs],
    output: [...outputs],
    name: options.name ?? `${opType}_${outputs[0] ?? ''}`,
    attribute: [...(options.attributes ?? [])],
    domain: options.domain ?? '',
  });
}

export interface OnnxGraphSpec {
  name: string;
  /** In topological order: a node's inputs are graph inputs, initializers, or outputs of earlier nodes. */
  nodes: readonly NodeProto[];
  initializers?: readonly TensorProto[];
  inputs: readonly ValueInfoProto[];
  outputs: readonly ValueInfoProto[];
}

export interface OnnxModelOptions {
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  /** Free key/value pairs stored in the file (metadata_props), e.g. a training run id. */
  metadata?: Readonly<Record<string, string>>;
  /** Extra operator sets, e.g. `{ 'ai.onnx.ml': 3 }` for tree ensembles. */
  extraOpsets?: Readonly<Record<string, number>>;
}

/** A whole model as the bytes of an .onnx file. */
export function onnxModel(graph: OnnxGraphSpec, options: OnnxModelOptions = {}): Uint8Array {
  const graphProto: GraphProto = create(GraphProtoSchema, {
    name: graph.name,
    node: [...graph.nodes],
    initializer: [...(graph.initializers ?? [])],
    input: [...graph.inputs],
    output: [...graph.outputs],
  });
  const model = create(ModelProtoSchema, {
    irVersion: BigInt(onnxIrVersion),
    opsetImport: [
      create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(onnxOpsetVersion) }),
      ...Object.entries(options.extraOpsets ?? {}).map(([domain, version]) => create(OperatorSetIdProtoSchema, { domain, version: BigInt(version) })),
    ],
    producerName: options.producerName ?? 'arbor',
    producerVersion: options.producerVersion ?? '',
    docString: options.docString ?? '',
    graph: graphProto,
    metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => create(StringStringEntryProtoSchema, { key, value })),
  });
  return toBinary(ModelProtoSchema, model);
}

export interface LogisticModelSpec {
  /** One weight per feature, in the order the input's columns come. */
  weights: readonly number[];
  bias: number;
  /** The graph input, a float32 tensor [N, featureCount]; default `features`. */
  inputName?: string;
  /** Must equal weights.length when given (a guard against a mismatched weight vector). */
  featureCount?: number;
  /** The graph output, float32 [N, 1], the probability of the positive class; default `probability`. */
  outputName?: string;
}

/**
 * A binary logistic regression: probability = sigmoid(features · weights + bias), as
 * MatMul -> Add -> Sigmoid over float32, with a symbolic batch dimension `N`.
 */
export function logisticRegressionOnnx(spec: LogisticModelSpec, options: OnnxModelOptions = {}): Uint8Array {
  const featureCount = spec.weights.length;
  if (featureCount === 0) throw new RangeError('a logistic model needs at least one weight');
  if (spec.featureCount !== undefined && spec.featureCount !== featureCount) {
    throw new RangeError(`featureCount is ${spec.featureCount} but there are ${featureCount} weights`);
  }
  if (![...spec.weights, spec.bias].every(Number.isFinite)) throw new RangeError('weights and bias must be finite numbers');
  const input = spec.inputName ?? 'features';
  const output = spec.outputName ?? 'probability';
  return onnxModel(
    {
      name: 'logistic_regression',
      nodes: [node('MatMul', [input, 'weights'], ['logit_raw']), node('Add', ['logit_raw', 'bias'], ['logit']), node('Sigmoid', ['logit'], [output])],
      initializers: [floatTensor('weights', [featureCount, 1], spec.weights), floatTensor('bias', [1], [spec.bias])],
      inputs: [tensorValueInfo(input, TensorProto_DataType.FLOAT, ['N', featureCount])],
      outputs: [tensorValueInfo(output, TensorProto_DataType.FLOAT, ['N', 1])],
    },
    { docString: 'logistic regression written by Arbor', ...options },
  );
}
