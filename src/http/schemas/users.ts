import { Type, type Static, type TBoolean, type TLiteral, type TNull, type TOptional, type TString, type TUnion } from '@sinclair/typebox';
import {
  BOOLEAN_PROFILE_FIELDS,
  STRING_PROFILE_FIELDS,
  USER_SOURCES,
  type BooleanProfileField,
  type StringProfileField,
  type UserSource,
} from '../../domain/user.js';
import { Nullable, PageOf, PoolParams } from './common.js';

/** Longest accepted password: argon2 hashes the whole input, so an unbounded one is a DoS. */
export const PASSWORD_MAX_LENGTH = 256;
export const PASSWORD_MIN_LENGTH = 8;
const FIELD_MAX_LENGTH = 1024;

const Email = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$' });
const Phone = Type.String({ pattern: '^\\+?[0-9 ()-]{4,32}$' });
const Username = Type.String({ minLength: 1, maxLength: 128, pattern: '^[^@\\s]+$' });
export const Password = Type.String({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH });
/** A password given for checking, not setting: any non-empty string up to the limit. */
export const PasswordToCheck = Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH });

type NullableText = TUnion<[TString, TNull]>;
type StringFieldSchemas = { [K in StringProfileField]: TOptional<NullableText> };
type BooleanFieldSchemas = { [K in BooleanProfileField]: TOptional<TBoolean> };

const specialFields: Partial<Record<StringProfileField, TString>> = { email: Email, phone: Phone, username: Username };

/**
 * The settable profile fields, built from the one field list in domain/user.ts. The
 * mapped types give handlers the same static type as the domain's ProfileInput.
 */
function profileProperties(): StringFieldSchemas & BooleanFieldSchemas {
  const strings = Object.fromEntries(
    STRING_PROFILE_FIELDS.map((field) => [field, Type.Optional(Nullable(specialFields[field] ?? Type.String({ maxLength: FIELD_MAX_LENGTH })))]),
  ) as StringFieldSchemas;
  const booleans = Object.fromEntries(BOOLEAN_PROFILE_FIELDS.map((field) => [field, Type.Optional(Type.Boolean())])) as BooleanFieldSchemas;
  return { ...strings, ...booleans };
}

export const UserInput = Type.Object(
  { ...profileProperties(), password: Type.Optional(Password) },
  { additionalProperties: false },
);

export const RegisterInput = Type.Object(
  { ...profileProperties(), password: Password },
  { additionalProperties: false },
);

const userStringFields = Object.fromEntries(STRING_PROFILE_FIELDS.map((field) => [field, Nullable(Type.String())])) as {
  [K in StringProfileField]: NullableText;
};
const userBooleanFields = Object.fromEntries(BOOLEAN_PROFILE_FIELDS.map((field) => [field, Type.Boolean()])) as {
  [K in BooleanProfileField]: TBoolean;
};
const userProperties = {
  id: Type.String(),
  userPoolId: Type.String(),
  ...userStringFields,
  ...userBooleanFields,
  loginsCount: Type.Integer(),
  lastLogin: Nullable(Type.String()),
  lastIP: Nullable(Type.String()),
  signedUp: Nullable(Type.String()),
  createdAt: Nullable(Type.String()),
  updatedAt: Nullable(Type.String()),
  externalId: Nullable(Type.String()),
  source: Type.Union(USER_SOURCES.map((source) => Type.Literal(source))) as TUnion<TLiteral<UserSource>[]>,
};

export const UserResponse = Type.Object(userProperties, { $id: 'User' });
export const UserPage = PageOf(Type.Ref(UserResponse));

export const UserParams = Type.Composite([PoolParams, Type.Object({ userId: Type.String({ minLength: 1, maxLength: 128 }) })]);
export type UserParams = Static<typeof UserParams>;

export const FindQuery = Type.Object(
  {
    email: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
    username: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    phone: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
  },
  { additionalProperties: false },
);

export const SearchQuery = Type.Object(
  {
    keyword: Type.String({ maxLength: 128 }),
    page: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 }),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
  },
  { additionalProperties: false },
);

export const LoginInput = Type.Object(
  {
    account: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
    email: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
    username: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    phone: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    password: PasswordToCheck,
  },
  { additionalProperties: false },
);
export type LoginInput = Static<typeof LoginInput>;

export const LoginResponse = Type.Object({
  user: Type.Ref(UserResponse),
  accessToken: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer(),
});
