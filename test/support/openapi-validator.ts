import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS: its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => void;

type Json = Record<string, unknown>;

/** One answer of the API, as a test received it. */
export interface ReceivedAnswer {
  method: string;
  /** The path asked for, without the query. */
  path: string;
  status: number;
  headers: Headers;
  /** The body as text; empty when there was none. */
  text: string;
}

const escapePointer = (part: string) => part.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Checks answers against the OpenAPI document the API serves: the status is one the
 * operation declares, the media type one declared for that status, the body valid
 * against its schema (JSON Schema 2020-12, as OpenAPI 3.1 says), and required headers
 * present. Answers to paths no operation serves (API Gateway's own 404) are not checked.
 */
export function createAnswerValidator(document: Json): (answer: ReceivedAnswer) => string[] {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(document, 'openapi');
  const validators = new Map<string, ValidateFunction>();
  const schemaAt = (pointer: string) => {
    let validate = validators.get(pointer);
    if (!validate) {
      validate = ajv.getSchema(`openapi#${pointer}`);
      if (!validate) throw new Error(`No schema at ${pointer}`);
      validators.set(pointer, validate);
    }
    return validate;
  };
  const resolve = (value: Json): { value: Json; pointer?: string } => {
    const ref = value.$ref;
    if (typeof ref !== 'string') return { value };
    const pointer = ref.slice(1);
    let target: unknown = document;
    for (const part of pointer.split('/').slice(1)) target = (target as Json)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    return { value: target as Json, pointer };
  };
  const paths = document.paths as Record<string, Record<string, Json>>;
  const templates = Object.keys(paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{\w+\}/g, '[^/]+')}$`),
  }));

  return (answer) => {
    const method = answer.method.toLowerCase();
    const matched = templates.find(({ template, pattern }) => pattern.test(answer.path) && paths[template]?.[method]);
    if (!matched) return [];
    const where = `${answer.method} ${matched.template} answered ${answer.status}`;
    const operationPointer = `/paths/${escapePointer(matched.template)}/${method}`;
    const responses = paths[matched.template]![method]!.responses as Record<string, Json>;
    const declared = responses[String(answer.status)];
    if (!declared) return [`${where}, which the document does not declare (it declares ${Object.keys(responses).join(', ')})`];
    const { value: response, pointer: sharedPointer } = resolve(declared);
    const responsePointer = sharedPointer ?? `${operationPointer}/responses/${answer.status}`;
    const failures: string[] = [];

    for (const [name, header] of Object.entries((response.headers ?? {}) as Record<string, Json>)) {
      if (resolve(header).value.required === true && !answer.headers.has(name)) failures.push(`${where} without its required ${name} header`);
    }

    const content = response.content as Record<string, Json> | undefined;
    const mediaType = (answer.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (!content) {
      if (answer.text) failures.push(`${where} with a body, but the document declares none`);
      return failures;
    }
    if (!content[mediaType]) {
      failures.push(`${where} as "${mediaType}", but the document declares ${Object.keys(content).join(', ')}`);
      return failures;
    }
    const schemaPointer = `${responsePointer}/content/${escapePointer(mediaType)}/schema`;
    let body: unknown = answer.text;
    if (/[/+]json$/.test(mediaType)) {
      try {
        body = JSON.parse(answer.text);
      } catch {
        failures.push(`${where} with a body that is not JSON`);
        return failures;
      }
    }
    const validate = schemaAt(schemaPointer);
    if (!validate(body)) {
      const errors = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '(body)'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
      failures.push(`${where} with a body that does not match the document: ${errors.join('; ')}`);
    }
    return failures;
  };
}
