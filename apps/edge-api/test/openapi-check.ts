/**
 * Checks a real answer against the served OpenAPI document with a JSON Schema 2020-12 validator
 * (@cfworker/json-schema: it needs no eval, so it runs inside workerd): the status must be
 * documented for that path and method (requests no route takes: components.responses NotFound
 * and MethodNotAllowed), the media type must be one the answer lists, a JSON body must satisfy
 * its schema, and every documented header must be present when required and match its schema.
 */
import { type OutputUnit, Validator } from "@cfworker/json-schema";

type JsonSchema = Record<string, unknown>;

/** One documented answer. */
export interface OpenApiResponse {
  description: string;
  headers?: Record<string, { required?: boolean; schema: JsonSchema }>;
  content?: Record<string, { schema: JsonSchema }>;
}

/** The parts of the document the check reads. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, { responses: Record<string, OpenApiResponse> }>>;
  components: { schemas: Record<string, JsonSchema>; responses: Record<string, OpenApiResponse> };
}

/** Where in the document an answer is described, or why it is not. */
export function documentedAnswer(
  doc: OpenApiDocument,
  method: string,
  path: string,
  status: number,
): { at: string; response: OpenApiResponse } | { problem: string } {
  const item = doc.paths[path];
  const unrouted = (name: string, expected: number) => {
    const response = doc.components.responses[name];
    return status === expected && response
      ? { at: `components.responses.${name}`, response }
      : { problem: `${method} ${path} answered ${status}; the document has no such answer` };
  };
  if (!item) return unrouted("NotFound", 404);
  // HEAD is answered as GET
  const operation = item[method === "HEAD" ? "get" : method.toLowerCase()];
  if (!operation) return unrouted("MethodNotAllowed", 405);
  const response = operation.responses[String(status)];
  if (!response) {
    const documented = Object.keys(operation.responses).join(", ");
    return {
      problem: `${method} ${path} answered ${status}, which its document lacks (documented: ${documented})`,
    };
  }
  return { at: `paths.${path}.${method.toLowerCase()}.responses.${status}`, response };
}

/** Validation errors of `value` against `schema`, whose $refs point into the document. */
export function schemaProblems(doc: OpenApiDocument, schema: JsonSchema, value: unknown): string[] {
  // the components ride along under their own name, so "#/components/schemas/X" resolves
  const rooted = { ...structuredClone(schema), components: structuredClone(doc.components) };
  const result = new Validator(rooted, "2020-12", false).validate(value);
  return result.errors
    .filter((e: OutputUnit) => e.error !== "A subschema had errors.")
    .map((e: OutputUnit) => `${e.instanceLocation}: ${e.error}`);
}

/** A header's text as the JSON value its schema describes. */
function headerValue(text: string, schema: JsonSchema): unknown {
  if (schema.type === "integer" && /^-?[0-9]+$/.test(text)) return Number(text);
  return text;
}

/**
 * What is wrong with a real answer by the document; [] when it is as documented.
 * Reads a clone of the response, so the caller can still read it.
 */
export async function answerProblems(
  doc: OpenApiDocument,
  method: string,
  path: string,
  res: Response,
): Promise<string[]> {
  const found = documentedAnswer(doc, method, path, res.status);
  if ("problem" in found) return [found.problem];
  const { at, response } = found;
  const problems: string[] = [];
  for (const [name, header] of Object.entries(response.headers ?? {})) {
    const text = res.headers.get(name);
    if (text === null) {
      if (header.required) problems.push(`${at}: header ${name} is required but absent`);
      continue;
    }
    for (const problem of schemaProblems(doc, header.schema, headerValue(text, header.schema))) {
      problems.push(`${at}: header ${name}: ${JSON.stringify(text)} ${problem}`);
    }
  }
  const body = await res.clone().arrayBuffer();
  const content = response.content;
  if (!content) {
    if (body.byteLength > 0)
      problems.push(`${at}: documents no body, got ${body.byteLength} bytes`);
    return problems;
  }
  const mediaType = (res.headers.get("Content-Type") ?? "").split(";")[0]?.trim() ?? "";
  const media = content[mediaType];
  if (!media) {
    const listed = Object.keys(content).join(", ");
    return [...problems, `${at}: media type "${mediaType}" is not documented (${listed})`];
  }
  if (method === "HEAD") return problems;
  const value =
    mediaType === "application/json"
      ? JSON.parse(new TextDecoder().decode(body))
      : new TextDecoder().decode(body);
  for (const problem of schemaProblems(doc, media.schema, value)) {
    problems.push(`${at} (${mediaType}): body ${problem}`);
  }
  return problems;
}

/** Every (path, status) the document describes, as "GET /sample 200" keys. */
export function documentedKeys(doc: OpenApiDocument): string[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).flatMap(([method, operation]) =>
      Object.keys(operation.responses).map((status) => `${method.toUpperCase()} ${path} ${status}`),
    ),
  );
}
