import { toBinary, type DescFile } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import type { ConnectRouter } from '@connectrpc/connect';
import { ServerReflection, type ServerReflectionRequest } from '../../shared/platform/generated/grpc/reflection/v1/reflection_pb.js';

/**
 * grpc.reflection.v1 over the router's own descriptors: list the services, and hand out a
 * file (with every file it imports) by name or by a symbol it defines, as grpcurl asks. The
 * descriptors are the generated code's, so reflection says exactly what the server speaks.
 * Status codes in error responses are gRPC's: 5 NOT_FOUND, 12 UNIMPLEMENTED.
 */
export function reflectionRoutes(router: ConnectRouter): void {
  const services = [...new Map(router.handlers.map((handler) => [handler.service.typeName, handler.service])).values()];
  const files = new Map<string, DescFile>();
  const addFile = (file: DescFile) => {
    if (files.has(file.name)) return;
    files.set(file.name, file);
    file.dependencies.forEach(addFile);
  };
  services.forEach((service) => addFile(service.file));
  addFile(ServerReflection.file);
  // Every symbol a client may ask for by its full name: messages (nested too), enums, services, methods.
  const symbols = new Map<string, DescFile>();
  for (const file of files.values()) {
    for (const enumeration of file.enums) symbols.set(enumeration.typeName, file);
    for (const service of file.services) {
      symbols.set(service.typeName, file);
      for (const method of service.methods) symbols.set(`${service.typeName}.${method.name}`, file);
    }
    const visit = (messages: readonly { typeName: string; nestedMessages: readonly unknown[]; nestedEnums: readonly { typeName: string }[] }[]) => {
      for (const message of messages) {
        symbols.set(message.typeName, file);
        for (const nested of message.nestedEnums) symbols.set(nested.typeName, file);
        visit(message.nestedMessages as typeof messages);
      }
    };
    visit(file.messages);
  }

  const withImports = (file: DescFile): Uint8Array[] => {
    const seen = new Set<string>();
    const out: Uint8Array[] = [];
    const walk = (f: DescFile) => {
      if (seen.has(f.name)) return;
      seen.add(f.name);
      out.push(toBinary(FileDescriptorProtoSchema, f.proto));
      f.dependencies.forEach(walk);
    };
    walk(file);
    return out;
  };

  const answer = (request: ServerReflectionRequest) => {
    const base = { validHost: request.host, originalRequest: request };
    const notFound = (what: string) => ({ ...base, messageResponse: { case: 'errorResponse' as const, value: { errorCode: 5, errorMessage: `${what} not found` } } });
    switch (request.messageRequest.case) {
      case 'listServices':
        return { ...base, messageResponse: { case: 'listServicesResponse' as const, value: { service: [...serviceNames].map((name) => ({ name })) } } };
      case 'fileByFilename': {
        const file = [...files.values()].find((f) => f.proto.name === request.messageRequest.value);
        return file ? { ...base, messageResponse: { case: 'fileDescriptorResponse' as const, value: { fileDescriptorProto: withImports(file) } } } : notFound(`file ${request.messageRequest.value}`);
      }
      case 'fileContainingSymbol': {
        const file = symbols.get(request.messageRequest.value);
        return file ? { ...base, messageResponse: { case: 'fileDescriptorResponse' as const, value: { fileDescriptorProto: withImports(file) } } } : notFound(`symbol ${request.messageRequest.value}`);
      }
      default:
        return { ...base, messageResponse: { case: 'errorResponse' as const, value: { errorCode: 12, errorMessage: 'not supported: Arbor defines no extensions' } } };
    }
  };

  const serviceNames = new Set([...services.map((service) => service.typeName), ServerReflection.typeName]);
  router.service(ServerReflection, {
    async *serverReflectionInfo(requests) {
      for await (const request of requests) yield answer(request);
    },
  });
}
