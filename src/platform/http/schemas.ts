// Shared request/response schemas (TypeBox → JSON Schema → validation and OpenAPI).
import { Type, type TSchema } from '@sinclair/typebox';

const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
export const Uuid = Type.String({ format: 'uuid', pattern: UUID_PATTERN });
/** The same check for ids that arrive outside a route schema (paths read by services, command-line arguments). */
export const isUuid = (value: string): boolean => new RegExp(UUID_PATTERN).test(value);
export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });
export const Email = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$' });
export const TlpSchema = Type.Union([Type.Literal('CLEAR'), Type.Literal('GREEN'), Type.Literal('AMBER'), Type.Literal('AMBER+STRICT'), Type.Literal('RED')], {
  description: 'TLP 2.0 label',
});
export const RecipientsSchema = Type.Object(
  {
    orgs: Type.Array(Uuid, { maxItems: 20000, default: [] }),
    users: Type.Array(Uuid, { maxItems: 5000, default: [] }),
  },
  { additionalProperties: false, description: 'Recipient organisations (AMBER, AMBER+STRICT) and users (RED).' },
);
export const Limit = Type.Integer({ minimum: 1, maximum: 200, default: 50 });
export const Cursor = Type.String({ maxLength: 400, pattern: '^[A-Za-z0-9_-]+$' });

export const ProblemSchema = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  code: Type.String(),
  detail: Type.String(),
  instance: Type.Optional(Type.String()),
  errors: Type.Optional(Type.Array(Type.Object({ field: Type.Optional(Type.String()), message: Type.String() }))),
});

export const strict = <T extends TSchema>(schema: T): T => schema;

export function page<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), next: Type.Union([Type.String(), Type.Null()]) });
}
